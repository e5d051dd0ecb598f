/* The map-first report form: pick a point on the map or take the phone's position, pick a
 * category, and see open reports of that category nearby before submitting. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var lonInput = document.getElementById("id_lon");
  var latInput = document.getElementById("id_lat");
  var crsInput = document.getElementById("id_coord_system");
  var category = document.getElementById("id_category");
  var status = document.getElementById("location-status");
  var nearbyBox = document.getElementById("nearby");
  var photos = document.getElementById("id_photos");
  var photoError = document.getElementById("photo-error");
  var mapCrs = NuanxinMap.config().crs || "wgs84";
  var map = NuanxinMap.create(document.getElementById("pick-map"));
  var marker = null;

  // Outlines of the districts give a plain map something to click on.
  NuanxinMap.getJSON(NuanxinMap.withCrs("/api/v1/geo/geojson?level=county")).then(function (data) {
    var layer = L.geoJSON(data, { style: { weight: 1, color: "#a63a0b", fillOpacity: 0.04 } }).addTo(map);
    layer.on("click", function (e) { place(e.latlng, mapCrs); });
    if (!lonInput.value && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
  }).catch(function () {});

  function place(latlng, system) {
    lonInput.value = latlng.lng.toFixed(7);
    latInput.value = latlng.lat.toFixed(7);
    crsInput.value = system;
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { draggable: true }).addTo(map);
    marker.off("dragend").on("dragend", function () { place(marker.getLatLng(), mapCrs); });
    status.textContent = status.dataset.picked;
    loadNearby();
  }
  map.on("click", function (e) { place(e.latlng, mapCrs); });

  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = status.dataset.unsupported; return; }
    status.textContent = status.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      // The phone reports WGS-84; the marker is drawn where the map's tiles put that point.
      var wgs = L.latLng(pos.coords.latitude, pos.coords.longitude);
      place(wgs, "wgs84");
      map.setView(wgs, 17);
    }, function () { status.textContent = status.dataset.failed; }, { enableHighAccuracy: true, timeout: 10000 });
  });

  function showQuestions() {
    document.querySelectorAll("fieldset.questions").forEach(function (box) {
      var on = box.dataset.category === category.value;
      box.hidden = !on;
      box.querySelectorAll("select, input").forEach(function (el) { el.disabled = !on; });
    });
  }
  category.addEventListener("change", function () { showQuestions(); loadNearby(); });
  showQuestions();

  function loadNearby() {
    if (!lonInput.value || !category.value) { nearbyBox.innerHTML = ""; return; }
    var url = form.dataset.nearbyUrl + "?" + new URLSearchParams({
      lon: lonInput.value, lat: latInput.value, coord_system: crsInput.value, category: category.value
    });
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      nearbyBox.innerHTML = html;
      nearbyBox.dataset.loaded = String(Date.now());
    });
  }

  photos.addEventListener("change", function () {
    var tooMany = photos.files.length > Number(photos.dataset.max || 4);
    photoError.hidden = !tooMany;
    photos.setCustomValidity(tooMany ? photoError.textContent : "");
  });

  if (lonInput.value && latInput.value) {
    var back = L.latLng(Number(latInput.value), Number(lonInput.value));
    place(back, crsInput.value);
    map.setView(back, 16);
  }
  form.addEventListener("submit", function (e) {
    if (!lonInput.value) {
      e.preventDefault();
      status.textContent = status.dataset.need;
      status.classList.add("error");
      return;
    }
    document.getElementById("submit-report").disabled = true;
  });
})();
