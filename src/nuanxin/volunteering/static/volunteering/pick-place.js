/* Project form: a click on the map sets the meeting place. The point is sent in the map's own
 * coordinate system (coord_system), so the server converts GCJ-02 clicks to WGS-84. */
(function () {
  "use strict";
  var element = document.getElementById("vt-pick");
  if (!element || !window.NuanxinMap) return;
  var map = NuanxinMap.create(element);
  var form = element.closest("form");
  var marker = null;
  form.elements.coord_system.value = NuanxinMap.config().crs || "wgs84";
  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
    form.elements.lon.value = latlng.lng.toFixed(6);
    form.elements.lat.value = latlng.lat.toFixed(6);
    // Name the community under the pin: without a basemap it is how staff check the place.
    NuanxinMap.locate(latlng.lng, latlng.lat, NuanxinMap.config().crs).then(function (found) {
      NuanxinMap.labelPin(marker, NuanxinMap.placeName(found.regions));
    }).catch(function () {});
  }
  if (form.elements.lon.value && form.elements.lat.value) {
    place(L.latLng(parseFloat(form.elements.lat.value), parseFloat(form.elements.lon.value)));
    map.setView(marker.getLatLng(), NuanxinMap.pointZoom(map));
  }
  map.on("click", function (event) { place(event.latlng); });
})();
