/* The industry figures page: one Plotly chart per figure from #industry-data, a line per
 * subject over its periods. No inline script (CSP); Plotly is served from the installed package. */
(function () {
  "use strict";
  var COLOURS = ["#c92a2a", "#f76707", "#1971c2", "#2f9e44", "#ae3ec9", "#e8590c", "#0c8599"];

  function draw() {
    var node = document.getElementById("industry-data");
    if (!node || typeof Plotly === "undefined") return;
    JSON.parse(node.textContent).forEach(function (chart) {
      var element = document.getElementById("industry-chart-" + chart.key);
      if (!element) return;
      var periods = [];
      Object.keys(chart.series).forEach(function (subject) {
        Object.keys(chart.series[subject]).forEach(function (p) {
          if (periods.indexOf(p) < 0) periods.push(p);
        });
      });
      var traces = Object.keys(chart.series).map(function (subject, i) {
        var values = chart.series[subject];
        return {
          type: "scatter", mode: "lines+markers", name: subject, connectgaps: true,
          x: periods, y: periods.map(function (p) { return p in values ? values[p] : null; }),
          line: { color: COLOURS[i % COLOURS.length], width: 3 },
        };
      });
      Plotly.react(element, traces, {
        margin: { l: 56, r: 12, t: 8, b: 40 }, showlegend: true,
        legend: { orientation: "h", y: -0.25 }, xaxis: { type: "category", automargin: true },
        yaxis: { rangemode: "tozero", automargin: true, separatethousands: true },
      }, { displayModeBar: false, responsive: true });
      element.dataset.points = String(traces.reduce(function (n, t) {
        return n + t.y.filter(function (y) { return y !== null; }).length;
      }, 0));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
