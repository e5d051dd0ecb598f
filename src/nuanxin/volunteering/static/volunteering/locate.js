/* Volunteering pages: find projects near the phone; add the position to a scan if allowed.
 * Browsers report WGS-84, which is what the server expects by default. Nothing is asked
 * before the worker has consented to location use (NuanxinLocationConsent). */
(function () {
  "use strict";
  var consent = window.NuanxinLocationConsent;
  function allowed() { return !consent || consent.allowed(); }
  function locate(done, fail) {
    if (!navigator.geolocation) { if (fail) fail(); return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { done(pos.coords.longitude, pos.coords.latitude); },
      function () { if (fail) fail(); },
      { enableHighAccuracy: false, timeout: 8000, maximumAge: 60000 }
    );
  }
  var button = document.getElementById("vt-locate");
  if (button) {
    button.addEventListener("click", function () {
      if (!allowed()) { consent.ask(); return; }
      var hint = document.getElementById("vt-locate-hint");
      button.disabled = true;
      locate(function (lon, lat) {
        window.location.href = button.dataset.url + "?lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6);
      }, function () {
        button.disabled = false;
        if (hint) hint.textContent = hint.dataset.failed || "无法获取位置，请检查定位权限。";
      });
    });
  }
  var form = document.getElementById("vt-scan-form");
  var offline = document.getElementById("vt-offline");
  if (form && offline) {
    /* A check-in is not kept on the phone to be sent later: the session's QR code is the same
     * printed code all session long, so it proves nothing about where or when it was scanned;
     * only the server, asked at the moment, can check the time (and the position). */
    var showOffline = function () { offline.hidden = navigator.onLine; };
    window.addEventListener("offline", showOffline);
    window.addEventListener("online", showOffline);
    form.addEventListener("submit", function (event) {
      if (!navigator.onLine) {
        event.preventDefault();
        offline.hidden = false;
      }
    });
  }
  if (form && allowed()) {
    locate(function (lon, lat) {
      form.elements.lon.value = lon.toFixed(6);
      form.elements.lat.value = lat.toFixed(6);
    });
  }
})();
