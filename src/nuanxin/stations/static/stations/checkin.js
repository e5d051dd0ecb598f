/* Check-in with the phone's position: asked only when the worker taps the button (the
 * browser then asks for permission), put in the form and sent once; the server compares it
 * with the station and keeps nothing of it. When the browser gives no position, the reason
 * is sent instead, so the server answers with a clear message and its code. Without the
 * worker's recorded consent the tap first gives it (accounts' endpoint, via
 * NuanxinLocationConsent): the hint beside the button says what the position is used for. */
(function () {
  "use strict";
  var form = document.getElementById("checkin-position");
  if (!form) return;
  var button = document.getElementById("checkin-locate");
  var reasons = { 1: "denied", 2: "unavailable", 3: "timeout" };

  function send() { HTMLFormElement.prototype.submit.call(form); }
  var consent = window.NuanxinLocationConsent;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    button.textContent = form.dataset.locating;
    (consent ? consent.give() : Promise.resolve(true)).then(function (given) {
      if (!given) {
        form.elements.position_error.value = "denied";
        send();
        return;
      }
      locate();
    });
  });

  function locate() {
    if (!navigator.geolocation) {
      form.elements.position_error.value = "unavailable";
      send();
      return;
    }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lon.value = position.coords.longitude.toFixed(6);
      form.elements.lat.value = position.coords.latitude.toFixed(6);
      form.elements.accuracy.value = Math.round(position.coords.accuracy || 0);
      send();
    }, function (error) {
      form.elements.position_error.value = reasons[error.code] || "unavailable";
      send();
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  }
})();
