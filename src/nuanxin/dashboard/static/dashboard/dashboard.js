/* The big screen: Plotly charts and the map from the figures in #dashboard-data, fresh
 * figures from the API every `refresh` seconds, drill-down by clicking a region (the region
 * goes into ?region= so every view can be bookmarked). No inline script: CSP-safe. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node) return;
  var data = JSON.parse(node.textContent);
  var region = data.figures.region.code;
  var COLOURS = ["#f76707", "#4dabf7", "#69db7c", "#ffd43b", "#da77f2", "#ff8787", "#38d9a9", "#a9e34b"];
  var FONT = { color: "#f1f3f5", family: "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" };

  function number(value) {
    if (value === undefined) return "";
    if (value === null) return "—";  // a rate with nothing counted under it
    var rounded = Math.round(value * 10) / 10;
    return rounded.toLocaleString("zh-CN");
  }

  function traces(chart) {
    return chart.traces.map(function (trace, index) {
      var base = { name: trace.name, marker: { color: COLOURS[index % COLOURS.length] } };
      switch (chart.kind) {
        case "pie":
          return Object.assign(base, {
            type: "pie", labels: chart.x, values: trace.y, hole: 0.45,
            marker: { colors: COLOURS }, textinfo: "label+percent", textposition: "inside",
          });
        case "barh":
          return Object.assign(base, {
            type: "bar", orientation: "h", y: chart.x.slice().reverse(), x: trace.y.slice().reverse(),
          });
        case "line":
          return Object.assign(base, {
            type: "scatter", mode: "lines+markers", x: chart.x, y: trace.y,
            yaxis: index === 0 ? "y" : "y2", line: { color: COLOURS[index % COLOURS.length], width: 3 },
          });
        default:
          return Object.assign(base, { type: "bar", x: chart.x, y: trace.y });
      }
    });
  }

  function layout(chart) {
    var axis = { gridcolor: "rgba(255,255,255,0.12)", zerolinecolor: "rgba(255,255,255,0.2)", automargin: true };
    var out = {
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: FONT,
      margin: { l: 40, r: 16, t: 8, b: 32 }, showlegend: chart.traces.length > 1 || chart.kind === "pie",
      legend: { orientation: "h", y: -0.2 }, xaxis: Object.assign({}, axis), yaxis: Object.assign({}, axis),
      barmode: "group",
    };
    if (chart.kind === "line") {
      out.yaxis2 = Object.assign({}, axis, { overlaying: "y", side: "right", rangemode: "tozero" });
    }
    if (chart.kind === "pie") out.showlegend = false;
    // Months ("2026-03") and hours are labels as they are, not dates Plotly would reformat.
    if (chart.kind !== "barh" && chart.kind !== "pie") out.xaxis.type = "category";
    return out;
  }

  function drawCharts(charts) {
    if (typeof Plotly === "undefined") return;
    charts.forEach(function (chart) {
      var element = document.getElementById("chart-" + chart.key);
      if (!element) return;
      Plotly.react(element, traces(chart), layout(chart), { displayModeBar: false, responsive: true });
      var points = chart.traces.reduce(function (n, t) {
        return n + t.y.filter(function (y) { return y; }).length;
      }, 0);
      element.dataset.points = String(points);
      element.dataset.drawn = "1";
    });
  }

  function drawFigures(figures) {
    document.querySelectorAll(".tile[data-figure]").forEach(function (tile) {
      var value = figures.totals[tile.dataset.figure];
      tile.querySelector(".value").textContent = number(value);
    });
    var highlights = {};
    (figures.highlights || []).forEach(function (item) { highlights[item.key] = item; });
    document.querySelectorAll(".tile[data-highlight]").forEach(function (tile) {
      var item = highlights[tile.dataset.highlight];
      tile.querySelector(".value").textContent = item ? number(item.value) : "";
      tile.querySelector(".name").textContent = item ? item.name : "";
      var since = item && item.since ? data.strings.founded.replace("%s", item.since) : "";
      tile.querySelector(".since").textContent = since;
    });
    var rows = {};
    figures.rows.forEach(function (row) { rows[row.code] = row; });
    document.querySelectorAll("#region-table tbody tr[data-code]").forEach(function (tr) {
      var row = rows[tr.dataset.code];
      if (!row) return;
      var cells = tr.querySelectorAll("td");
      data.columns.forEach(function (key, i) { if (cells[i]) cells[i].textContent = number(row.figures[key]); });
    });
    document.querySelectorAll("#channel-table tbody tr[data-code]").forEach(function (tr) {
      var row = rows[tr.dataset.code];
      if (!row) return;
      var cells = tr.querySelectorAll("td");
      data.channel_columns.forEach(function (key, i) { if (cells[i]) cells[i].textContent = number(row.figures[key]); });
    });
  }

  function drillTo(code) {
    window.location.search = "?region=" + encodeURIComponent(code);
  }

  function drawMap() {
    var element = document.getElementById("dashboard-map");
    if (!element || typeof NuanxinMap === "undefined") return;
    var map = NuanxinMap.create(element, { outlines: false });
    var crs = "&crs=" + encodeURIComponent(data.crs);
    var get = function (url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw r; return r.json(); });
    };
    get(data.urls.map + "?region=" + encodeURIComponent(region) + crs).then(function (info) {
      var drillable = {};
      data.figures.rows.forEach(function (row) { drillable[row.code] = row.drillable; });
      var max = Math.max.apply(null, [1].concat(Object.keys(info.reports).map(function (k) { return info.reports[k]; })));
      var bounds = null;
      var done = [];
      if (info.child_level) {
        done.push(get(data.urls.outlines + "?level=" + info.child_level + "&parent=" + encodeURIComponent(info.parent) + crs)
          .then(function (shapes) {
            var layer = L.geoJSON(shapes, {
              style: function (feature) {
                var share = (info.reports[feature.properties.code] || 0) / max;
                return { color: "#ffa94d", weight: 1.5, fillColor: "#e8590c", fillOpacity: 0.1 + 0.6 * share };
              },
              onEachFeature: function (feature, shape) {
                var code = feature.properties.code;
                shape.bindTooltip(feature.properties.name + " · " + data.strings.reports + " " + number(info.reports[code] || 0));
                if (drillable[code]) shape.on("click", function () { drillTo(code); });
              },
            }).addTo(map);
            if (layer.getLayers().length) bounds = layer.getBounds();
            element.dataset.regions = String(layer.getLayers().length);
          }).catch(function () { element.dataset.regions = "0"; }));
      }
      var dots = L.layerGroup().addTo(map);
      info.stations.forEach(function (s) {
        L.circleMarker([s.lat, s.lon], {
          radius: s.kind === "centre" ? 7 : 5, weight: 1, color: "#fff",
          fillColor: s.kind === "centre" ? "#ffd43b" : (s.open ? "#51cf66" : "#868e96"), fillOpacity: 0.95,
        }).bindTooltip(s.name + " · " + (s.kind === "centre" ? data.strings.centre : data.strings.station)).addTo(dots);
      });
      element.dataset.stations = String(info.stations.length);
      Promise.all(done).then(function () {
        if (bounds) map.fitBounds(bounds, { padding: [10, 10] });
        else if (info.stations.length) map.fitBounds(L.latLngBounds(info.stations.map(function (s) { return [s.lat, s.lon]; })), { padding: [20, 20] });
        element.dataset.loaded = "1";
      });
    }).catch(function () { element.dataset.loaded = "error"; });
  }

  function refresh() {
    fetch(data.urls.overview + "?region=" + encodeURIComponent(region), {
      credentials: "same-origin", headers: { Accept: "application/json" },
    }).then(function (r) { if (!r.ok) throw r; return r.json(); }).then(function (fresh) {
      drawFigures(fresh.figures);
      drawCharts(fresh.charts);
      var stamp = document.getElementById("updated");
      // when the figures were counted (the snapshot's time), not when they were fetched
      if (stamp) stamp.textContent = new Date(fresh.figures.as_of).toLocaleTimeString("zh-CN", { hour12: false });
      document.body.dataset.refreshed = String((Number(document.body.dataset.refreshed) || 0) + 1);
    }).catch(function () { /* the screen keeps the last figures and tries again */ });
  }

  function start() {
    drawCharts(data.charts);
    drawMap();
    var seconds = Number(new URLSearchParams(window.location.search).get("refresh")) || data.refresh;
    window.setInterval(refresh, Math.max(5, seconds) * 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
