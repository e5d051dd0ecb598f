/* The service worker of the installable app, served from the site root so that it controls
 * every page. It keeps three caches under one version:
 *   shell   the offline page, the shell's styles and scripts, the icons (stored at install);
 *   static  every other static file, kept as it is fetched and refreshed in the background;
 *   pages   pages the server marks for keeping (the report form), refreshed on every visit.
 * Pages are fetched from the network first; without a connection the kept copy of the page
 * answers, or the offline page. Nothing else (the API, uploads, media) is ever cached. */
"use strict";
var CONFIG = {{ config|safe }};
var VERSION = "__VERSION__";
var SHELL = "nuanxin-shell-" + VERSION;
var STATIC = "nuanxin-static-" + VERSION;
var PAGES = "nuanxin-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll(CONFIG.shell.map(function (url) {
        return new Request(url, { credentials: "same-origin", cache: "reload" });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("nuanxin-") === 0 && name !== SHELL && name !== STATIC && name !== PAGES;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function sameOrigin(url) { return url.origin === self.location.origin; }

function pageFirstFromNetwork(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.headers.get(CONFIG.keepHeader) === "keep") {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request.url, { ignoreSearch: true });
    }).then(function (kept) {
      return kept || caches.match(CONFIG.offline);
    });
  });
}

function staticFromCache(request) {
  return caches.match(request).then(function (hit) {
    var refresh = fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
    if (hit) {
      refresh.catch(function () {});
      return hit;
    }
    return refresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (!sameOrigin(url)) return;
  if (request.mode === "navigate") {
    event.respondWith(pageFirstFromNetwork(request));
  } else if (url.pathname.indexOf(CONFIG.static) === 0 || CONFIG.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(staticFromCache(request));
  }
});

/* A page asks for the kept pages to be forgotten (at logout). */
self.addEventListener("message", function (event) {
  if (event.data === "forget-pages") event.waitUntil(caches.delete(PAGES));
});

/* Web Push: show the message; a tap opens its page (the inbox when it names none), in a
 * window of the app already open when there is one. */
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data.text() }; }
  var title = data.title || CONFIG.pushTitle;
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || undefined,
    icon: CONFIG.pushIcon,
    badge: CONFIG.pushIcon,
    data: { url: data.url || CONFIG.inbox }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || CONFIG.inbox, self.location.origin);
  if (target.origin !== self.location.origin) target = new URL(CONFIG.inbox, self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if ("navigate" in windows[i] && "focus" in windows[i]) {
        return windows[i].navigate(target.href).then(function (w) { return (w || windows[i]).focus(); });
      }
    }
    return self.clients.openWindow(target.href);
  }));
});
