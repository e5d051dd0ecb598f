/* Shared Leaflet setup for every map page (settings from core/maps.py, in #map-config).
 *
 * addBasemap is the one place that reads the server's basemap choice: tiles (Tianditu, AMap…)
 * when MAP_TILE_URL is set; else the city's streets from its imported road network, loaded for
 * the view (with their names) from a zoom on, over named region outlines; else region outlines
 * with names and a notice saying no basemap is set.
 * Data is requested in the tile layer's coordinate system (crs=gcj02 for AMap), so the server
 * converts on the way out and in, and the browser never does datum maths. */
(function () {
  "use strict";
  var CITY_VIEW = { center: [21.2, 110.35], zoom: 9 };
  // Outline levels drawn when there is no basemap: finer ones appear as the map zooms in.
  var LEVELS = [
    { level: "county", minZoom: 0, style: { color: "#a63a0b", weight: 2.5, opacity: 0.9, fillColor: "#fff4e6", fillOpacity: 0.35 } },
    { level: "street", minZoom: 11, style: { color: "#c2410c", weight: 1.5, opacity: 0.8, dashArray: "6 4", fill: false } },
    { level: "community", minZoom: 13, style: { color: "#e8590c", weight: 1.2, opacity: 0.8, fillColor: "#ffffff", fillOpacity: 0.25 } },
  ];
  var MAX_LABELS = 40;
  var configCache = null;
  var instances = typeof WeakMap === "function" ? new WeakMap() : null;

  function config() {
    if (configCache) return configCache;
    var node = document.getElementById("map-config");
    configCache = node ? JSON.parse(node.textContent) : {
      crs: "wgs84", basemap: { kind: "outlines" }, urls: {}, strings: {},
    };
    return configCache;
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

  function withCrs(url) {
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + "crs=" + encodeURIComponent(config().crs);
  }

  function addTiles(map, base) {
    base.layers.forEach(function (layer, index) {
      L.tileLayer(layer.url, {
        subdomains: base.subdomains,
        maxZoom: base.maxZoom,
        // One attribution for the provider, on the base layer only.
        attribution: index === 0 ? base.attribution : "",
        className: "tiles-" + layer.role,
      }).addTo(map);
    });
  }

  /* A strip across the top of the map (the controls move below it), not a floating box, so
   * it hides neither the zoom buttons nor the region names. */
  function addNotice(map, element, strings) {
    var box = L.DomUtil.create("div", "map-notice", element);
    box.setAttribute("role", "note");
    var title = L.DomUtil.create("strong", "", box);
    title.textContent = strings.noBasemap || "";
    if (strings.noBasemapHow) {
      var how = L.DomUtil.create("span", "", box);
      how.textContent = strings.noBasemapHow;
    }
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    function fit() { element.style.setProperty("--notice-height", box.offsetHeight + "px"); }
    fit();
    map.on("resize", fit);
    return box;
  }

  /* Region outlines under everything else (and not clickable, so taps reach the map). With
   * labels, each level appears from its zoom on and the finest one shown is named. */
  function outlines(map, withLabels) {
    var url = config().urls.outlines;
    if (!url) return;
    if (!map.getPane("outlines")) {
      map.createPane("outlines").style.zIndex = 350;
      map.createPane("regionLabels").style.zIndex = 450;
      map.getPane("regionLabels").style.pointerEvents = "none";
    }
    var levels = withLabels ? LEVELS : [{ level: "county", minZoom: 0, style: { color: "#a63a0b", weight: 1, fillOpacity: 0.03 } }];
    var loaded = {};
    var labels = L.layerGroup().addTo(map);

    function load(spec) {
      if (!loaded[spec.level]) {
        loaded[spec.level] = getJSON(withCrs(url + "?level=" + spec.level)).then(function (data) {
          return L.geoJSON(data, { pane: "outlines", interactive: false, style: spec.style });
        });
      }
      return loaded[spec.level];
    }
    function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }
    // Even-odd rule over every ring of a (Multi)Polygon: holes and islands count right.
    function inside(geometry, lng, lat) {
      var polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
      var odd = false;
      polygons.forEach(function (rings) {
        rings.forEach(function (ring) {
          for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
            var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
            if ((yi > lat) !== (yj > lat) && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi) odd = !odd;
          }
        });
      });
      return odd;
    }
    /* A region's name goes at its centre (a point inside it, from the server); when that is
     * off screen, at the nearest point of the visible area that is still inside the region,
     * so a map zoomed in on one community keeps its name in view and never names a neighbour. */
    function labelAt(shape, area) {
      var props = shape.feature.properties;
      var centre = props.centre ? L.latLng(props.centre[1], props.centre[0]) : shape.getBounds().getCenter();
      if (area.contains(centre)) return centre;
      var box = shape.getBounds();
      var south = Math.max(box.getSouth(), area.getSouth()), north = Math.min(box.getNorth(), area.getNorth());
      var west = Math.max(box.getWest(), area.getWest()), east = Math.min(box.getEast(), area.getEast());
      if (south > north || west > east) return null;
      var at = L.latLng(clamp(centre.lat, south, north), clamp(centre.lng, west, east));
      return inside(shape.feature.geometry, at.lng, at.lat) ? at : null;
    }
    /* Where names may go: the view less a margin and the notice strip. */
    function labelArea() {
      var size = map.getSize();
      var notice = map.getContainer().querySelector(".map-notice");
      var top = (notice ? notice.offsetHeight : 0) + 24;
      return L.latLngBounds(
        map.containerPointToLatLng([40, Math.min(top, size.y / 2)]),
        map.containerPointToLatLng([size.x - 40, size.y - 28])
      );
    }
    function label(layer) {
      var area = labelArea();
      labels.clearLayers();
      var shown = 0;
      layer.eachLayer(function (shape) {
        if (shown >= MAX_LABELS) return;
        var centre = labelAt(shape, area);
        if (!centre) return;
        var name = document.createElement("span");
        name.textContent = shape.feature.properties.name;
        L.marker(centre, {
          pane: "regionLabels",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "region-label", html: name.outerHTML, iconSize: null }),
        }).addTo(labels);
        shown += 1;
      });
    }
    function refresh() {
      var zoom = map.getZoom();
      var finest = null;
      levels.forEach(function (spec) {
        var on = zoom >= spec.minZoom;
        if (on) finest = spec;
        load(spec).then(function (layer) {
          if (on) layer.addTo(map); else map.removeLayer(layer);
        }).catch(function () { /* outlines are a backdrop; the map works without them */ });
      });
      if (withLabels && finest) {
        load(finest).then(function (layer) {
          label(layer);
          map.getContainer().dataset.labels = String(labels.getLayers().length);
        }).catch(function () {});
      }
    }
    map.on("zoomend moveend", refresh);
    refresh();
  }

  /* Streets of the imported road network under everything else, loaded for the view once the
   * map is zoomed in far enough, with the names of the streets in view. The element's
   * data-streets says how many lines are drawn (for tests and for people debugging). */
  function streets(map, element, base) {
    map.createPane("streets").style.zIndex = 340;
    map.getPane("streets").style.pointerEvents = "none";
    map.createPane("streetNames").style.zIndex = 440;
    map.getPane("streetNames").style.pointerEvents = "none";
    var lines = L.layerGroup().addTo(map);
    var names = L.layerGroup().addTo(map);
    var ticket = 0;
    var style = { color: "#868e96", weight: 2, opacity: 0.8 };
    function load() {
      var mine = ++ticket;
      if (map.getZoom() < (base.minZoom || 13)) {
        lines.clearLayers();
        names.clearLayers();
        element.dataset.streets = "0";
        return;
      }
      var b = map.getBounds();
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); });
      getJSON(withCrs(base.url + "?bbox=" + box.join(","))).then(function (data) {
        if (mine !== ticket) return;
        lines.clearLayers();
        names.clearLayers();
        L.geoJSON(data, { pane: "streets", interactive: false, style: style }).addTo(lines);
        (data.names || []).forEach(function (n) {
          var text = document.createElement("span");
          text.textContent = n.name;
          L.marker(L.latLng(n.point[1], n.point[0]), {
            pane: "streetNames", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "street-name", html: text.outerHTML, iconSize: null }),
          }).addTo(names);
        });
        element.dataset.streets = String(data.features.length);
        element.dataset.streetNames = String((data.names || []).length);
      }).catch(function () { /* the streets are a backdrop; the map works without them */ });
    }
    map.on("moveend", load);
    load();
  }

  /* The one basemap choice (see core/maps.py). Returns the kind drawn. */
  function addBasemap(map, element, options) {
    var cfg = config();
    var base = cfg.basemap || { kind: "outlines" };
    switch (base.kind) {
      case "tiles":
        addTiles(map, base);
        if (options.outlines !== false) outlines(map, false);
        return "tiles";
      case "streets":
        if (base.attribution) map.nuanxinAttribution.addAttribution(base.attribution);
        streets(map, element, base);
        if (options.outlines !== false) outlines(map, true);
        return "streets";
      default:
        element.classList.add("no-basemap");
        addNotice(map, element, cfg.strings || {});
        if (options.outlines !== false) outlines(map, true);
        return "outlines";
    }
  }

  function create(element, options) {
    options = options || {};
    var cfg = config();
    var base = cfg.basemap || {};
    // Clustering needs a maximum zoom even when no tile layer brings one.
    var map = L.map(element, { zoomControl: true, attributionControl: false, maxZoom: base.maxZoom || 18 });
    // Leaflet's default prefix is a flag and a link; ours says in words what draws the map.
    map.nuanxinAttribution = L.control.attribution({ prefix: (cfg.strings || {}).prefix || "" }).addTo(map);
    map.setView(CITY_VIEW.center, CITY_VIEW.zoom);
    var kind = addBasemap(map, element, options);
    element.dataset.basemap = kind;
    map.nuanxinBasemap = kind;
    if (instances) instances.set(element, map);
    return map;
  }

  /* How close to zoom to one point: without a basemap the outlines of the community around it
   * must stay in view, so a rider sees where the pin is. */
  function pointZoom(map) {
    return map.nuanxinBasemap === "tiles" ? 17 : 14;
  }

  // Markers and clusters answer taps over 44 px, a finger's width, though they look smaller.
  var TAP = 44;

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({
      html: "<div><span>" + count + "</span></div>",
      className: "marker-cluster marker-cluster-" + size,
      iconSize: L.point(TAP, TAP),
    });
  }

  function clusters(options) {
    return L.markerClusterGroup(Object.assign({
      maxClusterRadius: 50,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      chunkedLoading: true,
      iconCreateFunction: clusterIcon,
    }, options || {}));
  }

  /* A round marker as an HTML icon (clusters need markers; the class carries the colour). */
  function dot(latlng, className, title) {
    return L.marker(latlng, {
      icon: L.divIcon({ className: "nx-dot " + className, iconSize: [TAP, TAP], iconAnchor: [TAP / 2, TAP / 2], popupAnchor: [0, -10] }),
      title: title || "",
      riseOnHover: true,
    });
  }

  /* Where to draw a point given in `system`, and the regions it falls in (city first). */
  function locate(lon, lat, system) {
    var params = new URLSearchParams({
      lon: String(lon), lat: String(lat), coord_system: system, crs: config().crs,
    });
    return getJSON(config().urls.locate + "?" + params.toString());
  }

  /* "海盛社区 · 南调街道": the community and street a point falls in, finest first. */
  function placeName(regions) {
    var named = (regions || []).filter(function (r) {
      return r.level === "community" || r.level === "street" || r.level === "county";
    });
    if (!named.length) return (config().strings || {}).outside || "";
    return named.reverse().slice(0, 2).map(function (r) { return r.name; }).join(" · ");
  }

  /* A permanent name under a pin, so a rider can tell where it stands without a basemap. */
  function labelPin(marker, text) {
    if (!text) { marker.unbindTooltip(); return; }
    // Renamed in place: an unbound tooltip fades out for a moment, and two names would show.
    if (marker.getTooltip()) { marker.setTooltipContent(text); return; }
    marker.bindTooltip(text, {
      permanent: true, direction: "bottom", offset: [-14, 8], className: "pin-label",
    }).openTooltip();
  }

  /* fitBounds that keeps what it fits clear of the notice strip at the top. */
  function fit(map, bounds, options) {
    var opts = Object.assign({ padding: [20, 20], animate: false }, options || {});
    var pad = opts.padding;
    delete opts.padding;
    var notice = map.getContainer().querySelector(".map-notice");
    opts.paddingTopLeft = [pad[0], pad[1] + (notice ? notice.offsetHeight : 0)];
    opts.paddingBottomRight = pad;
    return map.fitBounds(bounds, opts);
  }

  function of(element) {
    return instances ? instances.get(element) : undefined;
  }

  window.NuanxinMap = {
    create: create,
    config: config,
    withCrs: withCrs,
    getJSON: getJSON,
    clusters: clusters,
    dot: dot,
    locate: locate,
    placeName: placeName,
    labelPin: labelPin,
    pointZoom: pointZoom,
    fit: fit,
    of: of,
  };
})();
