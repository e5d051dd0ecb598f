/* Staff queue map, report detail map, public map and reply templates. */
(function () {
  "use strict";

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }
  function badge(state, label) {
    return text("span", label, "badge state-" + state);
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

  /* Staff: every report of the filtered queue (not only this page), clustered. */
  var queueMap = document.getElementById("queue-map");
  var toggle = document.getElementById("toggle-map");
  if (queueMap && toggle) {
    var made = null;
    var queuePopup = function (p) {
      var box = document.createElement("div");
      box.className = "map-popup";
      var title = text("a", "#" + p.id + " " + p.category_name, "popup-title");
      title.href = p.url;
      box.appendChild(title);
      var line = document.createElement("p");
      line.appendChild(badge(p.state, p.state_name));
      if (p.overdue) line.appendChild(text("span", queueMap.dataset.overdue, "badge bad"));
      box.appendChild(line);
      box.appendChild(text("p", fill(queueMap.dataset.reported, { date: p.created })));
      if (p.area) box.appendChild(text("p", p.area, "hint"));
      return box;
    };
    toggle.addEventListener("click", function () {
      queueMap.hidden = !queueMap.hidden;
      toggle.setAttribute("aria-pressed", String(!queueMap.hidden));
      if (queueMap.hidden || made) { if (made) made.invalidateSize(); return; }
      made = NuanxinMap.create(queueMap);
      var group = NuanxinMap.clusters().addTo(made);
      NuanxinMap.getJSON(queueMap.dataset.url + window.location.search).then(function (data) {
        var markers = data.points.map(function (p) {
          var cls = "report-marker state-" + p.state + (p.overdue ? " overdue" : "");
          return NuanxinMap.dot([p.lat, p.lon], cls, "#" + p.id)
            .bindPopup(function () { return queuePopup(p); });
        });
        group.addLayers(markers);
        queueMap.dataset.loaded = String(markers.length);
        var note = document.getElementById("queue-map-count");
        if (note) note.textContent = fill(note.dataset.template, { shown: data.points.length, count: data.count });
        if (markers.length) NuanxinMap.fit(made, group.getBounds(), { maxZoom: 16 });
      });
    });
  }

  var detail = document.getElementById("detail-map");
  if (detail) {
    var m = NuanxinMap.create(detail);
    // The server already converted the point to the tile layer's system.
    var lat = Number(detail.dataset.lat), lon = Number(detail.dataset.lon);
    NuanxinMap.dot([lat, lon], "report-marker here").addTo(m);
    m.setView([lat, lon], NuanxinMap.pointZoom(m));
  }

  /* Public: category, state, date and a coarse place; nothing about people. */
  var pub = document.getElementById("public-map");
  if (pub) {
    var map = NuanxinMap.create(pub);
    var layer = NuanxinMap.clusters().addTo(map);
    var select = document.getElementById("public-category");
    var count = document.getElementById("public-count");
    var publicPopup = function (p) {
      var box = document.createElement("div");
      box.className = "map-popup";
      box.appendChild(text("strong", p.category_name, "popup-title"));
      var line = document.createElement("p");
      line.appendChild(badge(p.state, p.state_name));
      box.appendChild(line);
      box.appendChild(text("p", fill(pub.dataset.reported, { date: p.created_date })));
      if (p.area) box.appendChild(text("p", p.area, "hint"));
      return box;
    };
    var load = function () {
      var url = pub.dataset.url + (select.value ? "?category=" + encodeURIComponent(select.value) : "");
      NuanxinMap.getJSON(NuanxinMap.withCrs(url)).then(function (data) {
        layer.clearLayers();
        layer.addLayers(data.features.map(function (f) {
          var p = f.properties, c = f.geometry.coordinates;
          return NuanxinMap.dot([c[1], c[0]], "report-marker state-" + p.state, p.category_name)
            .bindPopup(function () { return publicPopup(p); });
        }));
        pub.dataset.loaded = String(data.features.length);
        count.textContent = (count.dataset.template || "{n}").replace("{n}", data.features.length);
        if (data.features.length) NuanxinMap.fit(map, layer.getBounds(), { maxZoom: 15 });
      });
    };
    select.addEventListener("change", load);
    load();
  }
})();
