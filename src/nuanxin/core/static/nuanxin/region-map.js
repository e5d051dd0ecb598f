/* Region map: county outlines first; a click drills down to the children of a region. */
(function () {
  "use strict";
  var element = document.getElementById("region-map");
  if (!element) return;
  // This page draws its own outlines (clickable, one level at a time).
  var map = NuanxinMap.create(element, { outlines: false });
  var baseUrl = element.dataset.geojsonUrl;
  var layer = null;
  var stack = [];
  var upButton = document.getElementById("map-up");
  var list = document.getElementById("region-list");
  var childLevel = { county: "street", street: "community", community: "grid" };

  function show(level, parent) {
    var url = baseUrl + "?level=" + level + (parent ? "&parent=" + encodeURIComponent(parent) : "");
    return NuanxinMap.getJSON(NuanxinMap.withCrs(url)).then(function (data) {
      if (!data.features.length) return false;
      if (layer) map.removeLayer(layer);
      list.innerHTML = "";
      layer = L.geoJSON(data, {
        style: { color: "#d9480f", weight: 1.5, fillColor: "#ffd8a8", fillOpacity: 0.35 },
        onEachFeature: function (feature, shape) {
          var props = feature.properties;
          shape.bindTooltip(props.name, { sticky: true });
          shape.on("click", function () { drill(props); });
          var item = document.createElement("li");
          item.textContent = props.name;
          item.dataset.code = props.code;
          item.addEventListener("click", function () { drill(props); });
          list.appendChild(item);
        },
      }).addTo(map);
      NuanxinMap.fit(map, layer.getBounds(), { padding: [10, 10] });
      element.dataset.loaded = String(data.features.length);
      element.dataset.level = level;
      return true;
    });
  }
  function drill(props) {
    var next = childLevel[props.level];
    if (!next) return;
    show(next, props.code).then(function (shown) {
      if (shown) {
        stack.push(props);
        upButton.hidden = false;
      }
    });
  }
  upButton.addEventListener("click", function () {
    stack.pop();
    var parent = stack[stack.length - 1];
    upButton.hidden = stack.length === 0;
    if (parent) show(childLevel[parent.level], parent.code);
    else show("county");
  });
  show("county");
})();
