/* The home page's nearest open station. The phone's position (WGS-84) is asked for when the
 * rider taps the button, or at once when the browser already has the rider's permission; it is
 * sent to the nearest search and not kept. Links marked data-near (volunteer tasks near me)
 * then carry the position too. Nothing is asked before the worker has consented to location
 * use (NuanxinLocationConsent): the tap then points at the consent notice. */
(function () {
  "use strict";
  var box = document.getElementById("nearest-station");
  if (!box) return;
  var S = JSON.parse(document.getElementById("nearest-strings").textContent);
  var status = document.getElementById("nearest-status");
  var button = document.getElementById("nearest-locate");
  var hitBox = document.getElementById("nearest-hit");
  var nameLink = document.getElementById("nearest-name");
  var navigate = document.getElementById("nearest-navigate");
  var amap = document.getElementById("nearest-amap");

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }
  function distanceText(metres) {
    if (metres < 1000) return format(S.metres, { n: Math.round(metres) });
    return format(S.kilometres, { n: (metres / 1000).toFixed(1) });
  }
  function nearLinks(lon, lat) {
    document.querySelectorAll("a[data-near]").forEach(function (link) {
      var url = new URL(link.getAttribute("href"), window.location.href);
      url.searchParams.set("lon", lon.toFixed(5));
      url.searchParams.set("lat", lat.toFixed(5));
      link.setAttribute("href", url.pathname + url.search);
    });
  }
  function show(hit) {
    nameLink.textContent = hit.name;
    nameLink.href = hit.url;
    document.getElementById("nearest-distance").textContent =
      format(S.away, { d: distanceText(hit.distance_m), minutes: hit.ride_minutes });
    document.getElementById("nearest-hours").textContent = hit.open.label || "";
    navigate.href = hit.navigation.geo;
    amap.href = hit.navigation.amap;
    hitBox.hidden = navigate.hidden = amap.hidden = false;
    button.hidden = true;
    status.textContent = "";
    box.dataset.station = String(hit.id);
  }
  function search(lon, lat) {
    var params = new URLSearchParams({
      lon: String(lon), lat: String(lat), coord_system: "wgs84", open_now: "true", count: "1"
    });
    return fetch(box.dataset.nearestUrl + "?" + params.toString(), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (data) {
      if (data.results && data.results.length) show(data.results[0]);
      else status.textContent = S.none;
    }).catch(function () { status.textContent = S.error; });
  }
  var consent = window.NuanxinLocationConsent;
  function allowed() { return !consent || consent.allowed(); }
  function locate() {
    if (!allowed()) { consent.ask(); return; }
    if (!navigator.geolocation) { status.textContent = S.denied; return; }
    status.textContent = S.locating;
    navigator.geolocation.getCurrentPosition(function (position) {
      var lon = position.coords.longitude, lat = position.coords.latitude;
      nearLinks(lon, lat);
      search(lon, lat);
    }, function () {
      status.textContent = S.denied;
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 120000 });
  }
  button.addEventListener("click", locate);
  // Asking for the position unprompted would pop a permission question on every visit; once
  // the rider has said yes, the home page finds the station by itself.
  if (allowed() && navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then(function (result) {
      if (result.state === "granted") locate();
    }).catch(function () {});
  }
})();
