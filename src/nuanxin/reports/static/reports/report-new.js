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
  var mapElement = document.getElementById("pick-map");
  var map = NuanxinMap.create(mapElement);
  var marker = null;
  var placing = 0;

  // Region outlines (drawn by NuanxinMap) do not take taps, so a tap anywhere picks a point.
  function drawPin(latlng) {
    if (marker) marker.setLatLng(latlng);
    else {
      marker = L.marker(latlng, { draggable: true }).addTo(map);
      marker.on("dragend", function () {
        var at = marker.getLatLng();
        place(at.lng, at.lat, mapCrs);
      });
    }
  }

  /* The point goes to the server in the system it came in (a tap: the tiles' system; the phone:
   * WGS-84). The server says where to draw it on these tiles and which community it is in. */
  function place(lon, lat, system, zoom) {
    var ticket = ++placing;
    lonInput.value = Number(lon).toFixed(7);
    latInput.value = Number(lat).toFixed(7);
    crsInput.value = system;
    if (system === mapCrs) drawPin(L.latLng(lat, lon));
    status.textContent = status.dataset.picked;
    loadNearby();
    return NuanxinMap.locate(lon, lat, system).then(function (found) {
      if (ticket !== placing) return;
      var at = L.latLng(found.point[1], found.point[0]);
      drawPin(at);
      if (zoom) map.setView(at, zoom);
      var name = NuanxinMap.placeName(found.regions);
      NuanxinMap.labelPin(marker, name);
      status.textContent = status.dataset.picked + " " + fill(status.dataset.place, { place: name });
      mapElement.dataset.place = name;
    }).catch(function () {
      // Without the answer the pin still marks the tap; a phone fix is drawn as it came.
      if (ticket !== placing) return;
      if (!marker) drawPin(L.latLng(lat, lon));
      if (zoom) map.setView(marker.getLatLng(), zoom);
    });
  }
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }
  map.on("click", function (e) { place(e.latlng.lng, e.latlng.lat, mapCrs); });

  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = status.dataset.unsupported; return; }
    status.textContent = status.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      // The phone reports WGS-84; the server says where that is on the map's tiles.
      place(pos.coords.longitude, pos.coords.latitude, "wgs84", NuanxinMap.pointZoom(map));
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
    // The form came back (an error): the point keeps the system it was sent in.
    place(Number(lonInput.value), Number(latInput.value), crsInput.value, NuanxinMap.pointZoom(map));
  } else {
    NuanxinMap.getJSON(NuanxinMap.withCrs(NuanxinMap.config().urls.outlines + "?level=county")).then(function (data) {
      var bounds = L.geoJSON(data).getBounds();
      // Not animated: a zoom animation still running would swallow the zoom to a phone's fix.
      if (!lonInput.value && bounds.isValid()) NuanxinMap.fit(map, bounds, { padding: [10, 10] });
    }).catch(function () {});
  }
  form.addEventListener("submit", function (e) {
    if (!lonInput.value) {
      e.preventDefault();
      status.textContent = status.dataset.need;
      status.classList.add("error");
      return;
    }
    if (!navigator.onLine && window.NuanxinDrafts) {
      // No signal: the report is kept on the phone and sent when the connection returns.
      e.preventDefault();
      window.NuanxinDrafts.keep(form).then(function () {
        form.reset();
        lonInput.value = latInput.value = "";
        photoError.hidden = true;
        status.textContent = status.dataset.need;
        nearbyBox.innerHTML = "";
        showQuestions();
      }).catch(function () {
        // The phone would not keep it (storage full or refused): the form stays as written.
        status.textContent = status.dataset.unsaved;
        status.classList.add("error");
      });
      return;
    }
    document.getElementById("submit-report").disabled = true;
  });
})();
