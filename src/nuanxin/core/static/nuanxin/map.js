/* Shared Leaflet setup for every map page.
 * Tiles come from the MAP_TILE_URL setting; with none, maps draw outlines on a plain background.
 * Data is requested in the tile layer's coordinate system (crs=gcj02 for Chinese tile servers),
 * so the server converts on the way out and the browser never does datum maths. */
(function () {
  "use strict";
  function config() {
    var node = document.getElementById("map-config");
    return node ? JSON.parse(node.textContent) : { tileUrl: "", crs: "wgs84", attribution: "" };
  }
  function create(element, options) {
    var cfg = config();
    var map = L.map(element, Object.assign({ zoomControl: true }, options || {}));
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, { maxZoom: 19, attribution: cfg.attribution }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    map.setView([21.2, 110.35], 9);
    return map;
  }
  function withCrs(url) {
    var crs = config().crs;
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + "crs=" + encodeURIComponent(crs);
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          return response.json().then(function (body) { throw body; });
        }
        return response.json();
      }
    );
  }
  window.NuanxinMap = { create: create, config: config, withCrs: withCrs, getJSON: getJSON };
})();
