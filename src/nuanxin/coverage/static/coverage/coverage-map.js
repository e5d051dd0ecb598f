/* The coverage map: stations, demand points shaded covered / uncovered (size by weight), and
 * proposed sites. The page embeds the GeoJSON (#coverage-data) already in the tiles' datum. */
(function () {
  "use strict";
  var element = document.getElementById("coverage-map");
  var node = document.getElementById("coverage-data");
  if (!element || !node) return;
  var data = JSON.parse(node.textContent);
  var map = NuanxinMap.create(element);
  var demand = L.layerGroup().addTo(map);
  var stations = L.layerGroup().addTo(map);
  var proposed = L.layerGroup().addTo(map);
  var maxWeight = 1;
  data.features.forEach(function (f) {
    if (f.properties.kind === "demand") maxWeight = Math.max(maxWeight, f.properties.weight);
  });

  function popup(lines) {
    var box = document.createElement("div");
    lines.forEach(function (line) {
      if (line === null || line === undefined || line === "") return;
      var p = document.createElement("div");
      p.textContent = String(line);
      box.appendChild(p);
    });
    return box;
  }

  var bounds = [];
  data.features.forEach(function (f) {
    var c = f.geometry.coordinates;
    var at = L.latLng(c[1], c[0]);
    var p = f.properties;
    bounds.push(at);
    if (p.kind === "station") {
      NuanxinMap.dot(at, "station", p.name).bindPopup(popup([p.name])).addTo(stations);
    } else if (p.kind === "proposed") {
      NuanxinMap.dot(at, "proposed", "#" + p.rank)
        .bindPopup(popup(["#" + p.rank + " " + (p.label || ""), p.street, "+" + p.gain + " (" + p.gain_points + ")"]))
        .addTo(proposed);
    } else {
      L.circleMarker(at, {
        radius: 3 + 9 * Math.sqrt(p.weight / maxWeight),
        color: p.covered ? "#2b8a3e" : "#c92a2a",
        weight: 1,
        fillOpacity: p.covered ? 0.35 : 0.6,
        className: p.covered ? "demand covered" : "demand uncovered",
      }).bindPopup(popup([p.label, p.source, p.weight, p.minutes === null ? "—" : p.minutes + " min"])).addTo(demand);
    }
  });
  if (bounds.length) NuanxinMap.fit(map, L.latLngBounds(bounds));
  element.dataset.ready = "1";
})();
