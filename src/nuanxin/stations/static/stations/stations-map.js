/* Station map: markers coloured by open/closed, amenity filter chips, and "nearest open".
 * Station data and search results come in the tile layer's coordinate system (withCrs), so
 * the browser never converts datums. The browser's own position is WGS-84; a point tapped on
 * the map is in the tile system, and the server is told which one it gets. */
(function () {
  "use strict";
  var element = document.getElementById("stations-map");
  if (!element) return;
  var S = JSON.parse(document.getElementById("stations-strings").textContent);
  var AMENITIES = JSON.parse(document.getElementById("stations-amenities").textContent);
  var COLOURS = { open: "#2b8a3e", closed: "#868e96", suspended: "#e67700", you: "#1c7ed6" };
  var map = NuanxinMap.create(element);
  // Close stations cluster when zoomed out; from street level on each has its own marker.
  var markerLayer = NuanxinMap.clusters({ disableClusteringAtZoom: 16 }).addTo(map);
  var searchLayer = L.layerGroup().addTo(map);
  var features = [];
  var markers = {};
  var selected = [];
  var openOnly = document.getElementById("open-only");
  var status = document.getElementById("finder-status");
  var results = document.getElementById("nearest-results");
  var pickMode = false;
  var you = null; // the searched position, in the tiles' system like the markers

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }
  function distanceText(metres) {
    if (metres < 1000) return format(S.metres, { n: Math.round(metres) });
    return format(S.kilometres, { n: (metres / 1000).toFixed(1) });
  }
  function stateOf(p) {
    if (p.status !== "open") return "suspended";
    return p.open_now ? "open" : "closed";
  }
  function visible(p) {
    if (openOnly.checked && !p.open_now) return false;
    return selected.every(function (code) { return p.amenities.indexOf(code) >= 0; });
  }
  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }
  function popup(p) {
    var box = document.createElement("div");
    box.appendChild(text("strong", p.name));
    box.appendChild(document.createElement("br"));
    box.className = "map-popup";
    var line = document.createElement("p");
    line.appendChild(text("span", p.open_now ? S.openNow : (p.status === "open" ? S.closedNow : p.status_label), "badge " + { open: "ok", closed: "", suspended: "warn" }[stateOf(p)]));
    if (you) {
      var c = p.coordinates;
      line.appendChild(text("span", " " + format(S.distance, { d: distanceText(you.distanceTo([c[1], c[0]])) }), "popup-distance"));
    }
    box.appendChild(line);
    var names = p.amenities.map(function (code) {
      var a = AMENITIES[code];
      return a ? a.icon + a.name : "";
    }).filter(Boolean);
    if (names.length) box.appendChild(text("p", names.join("　"), "hint"));
    var link = text("a", S.detail);
    link.href = p.url;
    box.appendChild(link);
    return box;
  }
  function draw() {
    markerLayer.clearLayers();
    markers = {};
    var layers = [];
    features.forEach(function (feature) {
      var p = feature.properties;
      if (!visible(p)) return;
      var c = feature.geometry.coordinates;
      p.coordinates = c;
      var cls = "station-marker station-" + stateOf(p) + (p.kind === "centre" ? " centre" : "");
      var marker = NuanxinMap.dot([c[1], c[0]], cls, p.name);
      // Built when opened, so the distance is from the latest searched position.
      marker.bindPopup(function () { return popup(p); });
      markers[p.id] = marker;
      layers.push(marker);
    });
    markerLayer.addLayers(layers);
    element.dataset.shown = String(layers.length);
  }
  function load() {
    NuanxinMap.getJSON(NuanxinMap.withCrs(element.dataset.stationsUrl)).then(function (data) {
      features = data.features;
      draw();
      if (features.length) {
        var bounds = L.latLngBounds(features.map(function (f) {
          return [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        }));
        NuanxinMap.fit(map, bounds, { maxZoom: 15 });
      }
      element.dataset.loaded = String(features.length);
    });
  }

  function resultItem(hit, rank) {
    var item = document.createElement("li");
    item.className = "card station-hit";
    item.dataset.stationId = String(hit.id);
    var head = document.createElement("div");
    head.className = "hit-head";
    var name = text("a", hit.name, "hit-name");
    name.href = hit.url;
    head.appendChild(name);
    head.appendChild(text("span", hit.open.is_open ? S.openNow : S.closedNow, "badge " + (hit.open.is_open ? "ok" : "")));
    item.appendChild(head);
    item.appendChild(text("p", hit.open.label, "hit-hours"));
    item.appendChild(text("p", [
      distanceText(hit.distance_m),
      format(S.walk, { minutes: hit.walk_minutes }),
      format(S.ride, { minutes: hit.ride_minutes }),
    ].join(" · "), "hit-distance"));
    item.appendChild(text("p", hit.address, "hint"));
    var icons = hit.amenities.map(function (c) {
      var a = AMENITIES[c];
      return a ? a.icon + a.name : c;
    });
    item.appendChild(text("p", icons.join("　"), "hit-amenities"));
    var actions = document.createElement("p");
    actions.className = "row";
    var go = text("a", S.navigate, "button small");
    go.href = hit.navigation.amap;
    go.rel = "noopener";
    actions.appendChild(go);
    var more = text("a", S.detail, "button small secondary");
    more.href = hit.url;
    actions.appendChild(more);
    item.appendChild(actions);
    if (rank === 0) item.classList.add("first");
    return item;
  }

  function search(lon, lat, system) {
    var params = new URLSearchParams({
      lon: String(lon),
      lat: String(lat),
      coord_system: system,
      open_now: "true", // the button promises an open station; the toggle only filters markers
      count: "5",
    });
    if (selected.length) params.set("amenities", selected.join(","));
    var url = NuanxinMap.withCrs(element.dataset.nearestUrl + "?" + params.toString());
    return NuanxinMap.getJSON(url).then(function (data) {
      searchLayer.clearLayers();
      results.innerHTML = "";
      var hits = data.results;
      element.dataset.nearest = hits.length ? String(hits[0].id) : "";
      if (!hits.length) {
        status.textContent = S.none;
        return;
      }
      status.textContent = format(S.found, { count: hits.length }) + hits[0].name;
      var points = [];
      hits.forEach(function (hit, rank) {
        results.appendChild(resultItem(hit, rank));
        points.push([hit.lat, hit.lon]);
        L.circleMarker([hit.lat, hit.lon], {
          radius: rank === 0 ? 14 : 11, color: COLOURS.open, weight: 3, fill: false,
        }).addTo(searchLayer);
      });
      // The query point as the server saw it, converted to the tile system like the results.
      you = L.latLng(data.query.point[1], data.query.point[0]);
      L.circleMarker(you, { radius: 8, color: "#fff", weight: 3, fillColor: COLOURS.you, fillOpacity: 1 })
        .bindTooltip(S.you).addTo(searchLayer);
      points.push(you);
      NuanxinMap.fit(map, L.latLngBounds(points), { padding: [30, 30], maxZoom: 16 });
      var first = markers[hits[0].id];
      // A station inside a cluster is shown first (the map zooms to it), then its popup.
      if (first) markerLayer.zoomToShowLayer(first, function () { first.openPopup(); });
    }).catch(function (body) {
      status.textContent = (body && body.message) || S.error;
    });
  }

  function locate() {
    // A logged-in worker who has not consented to location use picks the point on the map.
    var consent = window.NuanxinLocationConsent;
    if (consent && !consent.allowed()) {
      consent.ask();
      status.textContent = S.noGeolocation;
      pickMode = true;
      return;
    }
    if (!navigator.geolocation) {
      status.textContent = S.noGeolocation;
      pickMode = true;
      return;
    }
    status.textContent = S.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        pickMode = false;
        search(position.coords.longitude, position.coords.latitude, "wgs84");
      },
      function () {
        status.textContent = S.noGeolocation;
        pickMode = true;
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  }

  document.querySelectorAll(".chip[data-amenity]").forEach(function (chip) {
    chip.addEventListener("click", function () {
      var on = chip.getAttribute("aria-pressed") !== "true";
      chip.setAttribute("aria-pressed", on ? "true" : "false");
      var code = chip.dataset.amenity;
      selected = selected.filter(function (c) { return c !== code; });
      if (on) selected.push(code);
      draw();
    });
  });
  openOnly.addEventListener("change", draw);
  document.getElementById("nearest-open").addEventListener("click", locate);
  map.on("click", function (event) {
    if (!pickMode) return;
    status.textContent = S.pickHint;
    search(event.latlng.lng, event.latlng.lat, NuanxinMap.config().crs);
  });
  load();
  // The home page's "nearest open station" card links here with ?nearest=1.
  if (new URLSearchParams(window.location.search).has("nearest")) locate();
})();
