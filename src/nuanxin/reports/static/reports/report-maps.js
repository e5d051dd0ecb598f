/* Staff queue map, report detail map, public map and reply templates. */
(function () {
  "use strict";
  var COLORS = { submitted: "#e67700", reopened: "#e67700", accepted: "#1971c2", dispatched: "#1971c2",
    resolved: "#2b8a3e", closed: "#868e96", rejected: "#c92a2a", duplicate: "#868e96" };

  function dot(latlng, state, overdue) {
    return L.circleMarker(latlng, { radius: 7, weight: overdue ? 3 : 1, color: overdue ? "#c92a2a" : "#fff",
      fillColor: COLORS[state] || "#495057", fillOpacity: 0.9 });
  }

  function outlines(map) {
    return NuanxinMap.getJSON(NuanxinMap.withCrs("/api/v1/geo/geojson?level=county")).then(function (data) {
      L.geoJSON(data, { style: { weight: 1, color: "#a63a0b", fillOpacity: 0.03 }, interactive: false }).addTo(map);
    }).catch(function () {});
  }

  document.querySelectorAll("select.template-picker").forEach(function (picker) {
    picker.addEventListener("change", function () {
      var target = document.getElementById(picker.dataset.target);
      if (target && picker.value) target.value = picker.value;
    });
  });

  var checkAll = document.getElementById("check-all");
  if (checkAll) {
    checkAll.addEventListener("change", function () {
      document.querySelectorAll("#bulk-form input[name=ids]").forEach(function (box) { box.checked = checkAll.checked; });
    });
  }

  var queueMap = document.getElementById("queue-map");
  var toggle = document.getElementById("toggle-map");
  if (queueMap && toggle) {
    var made = null;
    toggle.addEventListener("click", function () {
      queueMap.hidden = !queueMap.hidden;
      toggle.setAttribute("aria-pressed", String(!queueMap.hidden));
      if (queueMap.hidden || made) { if (made) made.invalidateSize(); return; }
      made = NuanxinMap.create(queueMap);
      outlines(made);
      var points = JSON.parse(document.getElementById("queue-points").textContent);
      var group = L.featureGroup();
      points.forEach(function (p) {
        dot([p.lat, p.lon], p.state, p.overdue)
          .bindPopup('<a href="' + p.id + '/">' + p.label.replace(/</g, "&lt;") + "</a>").addTo(group);
      });
      group.addTo(made);
      if (points.length) made.fitBounds(group.getBounds().pad(0.2), { maxZoom: 16 });
    });
  }

  var detail = document.getElementById("detail-map");
  if (detail) {
    var m = NuanxinMap.create(detail);
    // The server already converted the point to the tile layer's system.
    var lat = Number(detail.dataset.lat), lon = Number(detail.dataset.lon);
    outlines(m);
    L.circleMarker([lat, lon], { radius: 9, color: "#fff", weight: 2, fillColor: "#d9480f", fillOpacity: 1 }).addTo(m);
    m.setView([lat, lon], 15);
  }

  var pub = document.getElementById("public-map");
  if (pub) {
    var map = NuanxinMap.create(pub);
    outlines(map);
    var layer = L.featureGroup().addTo(map);
    var select = document.getElementById("public-category");
    var count = document.getElementById("public-count");
    function load() {
      var url = pub.dataset.url + (select.value ? "?category=" + encodeURIComponent(select.value) : "");
      NuanxinMap.getJSON(NuanxinMap.withCrs(url)).then(function (data) {
        layer.clearLayers();
        data.features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates;
          dot([c[1], c[0]], p.state, false)
            .bindPopup(p.category_name + " · " + p.state_name + "<br>" + p.area + " · " + p.created_date)
            .addTo(layer);
        });
        pub.dataset.loaded = String(data.features.length);
        count.textContent = (count.dataset.template || "{n}").replace("{n}", data.features.length);
        if (data.features.length) map.fitBounds(layer.getBounds().pad(0.1), { maxZoom: 15 });
      });
    }
    select.addEventListener("change", load);
    load();
  }
})();
