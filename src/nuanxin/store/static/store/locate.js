/* The shop: reload it ordered by distance from the phone's position (WGS-84, as browsers give).
 * Nothing is asked before the worker has consented to location use (NuanxinLocationConsent). */
(function () {
  "use strict";
  var button = document.getElementById("st-locate");
  if (!button) return;
  button.addEventListener("click", function () {
    var consent = window.NuanxinLocationConsent;
    if (consent && !consent.allowed()) { consent.ask(); return; }
    var hint = document.getElementById("st-locate-hint");
    if (!navigator.geolocation) { if (hint) hint.textContent = hint.dataset.failed; return; }
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      window.location.href = button.dataset.url + "?lon=" + pos.coords.longitude.toFixed(6) +
        "&lat=" + pos.coords.latitude.toFixed(6);
    }, function () {
      button.disabled = false;
      if (hint) hint.textContent = hint.dataset.failed;
    }, { enableHighAccuracy: false, timeout: 8000, maximumAge: 60000 });
  });
})();
