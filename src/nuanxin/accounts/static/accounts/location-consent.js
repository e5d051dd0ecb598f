/* The logged-in worker's consent to location use, for the page scripts that ask the phone for
 * its position: {% location_consent_notice %} renders #location-consent with the state in
 * data-location-consent ("given", "missing", or "anonymous" with no account to record it for).
 * A script asks the browser only when allowed() holds; otherwise it calls ask(), which points
 * at the notice and its button. give() records the consent through accounts' endpoint, for a
 * tap that is itself the worker's yes (the check-in button). */
(function () {
  "use strict";
  var box = document.getElementById("location-consent");
  function state() { return box ? box.dataset.locationConsent : "anonymous"; }
  window.NuanxinLocationConsent = {
    allowed: function () { return state() !== "missing"; },
    ask: function () {
      if (!box) return;
      box.hidden = false;
      box.scrollIntoView({ block: "center" });
      var button = document.getElementById("location-consent-give");
      if (button) button.focus();
    },
    give: function () {
      if (state() !== "missing") return Promise.resolve(true);
      var token = box.querySelector("input[name=csrfmiddlewaretoken]");
      return fetch(box.dataset.consentUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
        body: new URLSearchParams({ action: "give" })
      }).then(function (response) {
        return response.ok ? response.json() : { given: false };
      }).then(function (data) {
        if (data.given) { box.dataset.locationConsent = "given"; box.hidden = true; }
        return Boolean(data.given);
      }).catch(function () { return false; });
    }
  };
})();
