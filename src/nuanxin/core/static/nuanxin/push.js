/* The inbox's "message alerts on this phone": subscribe this browser to Web Push with the
 * server's VAPID key and store the subscription for the account logged in; or cancel it.
 * Shown only where the browser can push and the server has a key. */
(function () {
  "use strict";
  var box = document.getElementById("push-optin");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var state = document.getElementById("push-state");
  var button = document.getElementById("push-toggle");
  var publicKey = "";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function show(subscribed) {
    state.textContent = subscribed ? box.dataset.on : box.dataset.off;
    button.textContent = subscribed ? button.dataset.disable : button.dataset.enable;
    button.dataset.subscribed = subscribed ? "1" : "";
    button.disabled = false;
  }

  function failed(message) {
    state.textContent = message || box.dataset.failed;
    button.disabled = false;
  }

  function subscribe(registration) {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("denied");
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    }).then(function (subscription) {
      var data = subscription.toJSON();
      return post(box.dataset.subscribeUrl, { endpoint: data.endpoint, keys: { p256dh: data.keys.p256dh, auth: data.keys.auth } });
    }).then(function () { show(true); });
  }

  function unsubscribe(registration) {
    return registration.pushManager.getSubscription().then(function (subscription) {
      if (!subscription) return null;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(box.dataset.unsubscribeUrl, { endpoint: endpoint });
      });
    }).then(function () { show(false); });
  }

  fetch(box.dataset.keyUrl, { credentials: "same-origin" }).then(function (response) {
    return response.ok ? response.json() : { enabled: false };
  }).then(function (info) {
    if (!info.enabled) return;
    publicKey = info.public_key;
    box.hidden = false;
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription().then(function (subscription) {
        show(Boolean(subscription));
        button.addEventListener("click", function () {
          button.disabled = true;
          var action = button.dataset.subscribed ? unsubscribe : subscribe;
          action(registration).catch(function (error) {
            failed(error && error.message === "denied" ? box.dataset.denied : "");
          });
        });
      });
    });
  }).catch(function () {});
})();
