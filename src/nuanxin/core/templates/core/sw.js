/* The service worker of the installable app, served from the site root so that it controls
 * every page. It keeps three caches under one version:
 *   shell   the offline page, the shell's styles and scripts, the icons (stored at install);
 *   static  every other static file, kept as it is fetched and refreshed in the background;
 *   pages   pages the server marks for keeping (the report form), refreshed on every visit
 *           and fetched ahead for a logged-in worker (with "kept", for whom and when).
 * Pages are fetched from the network first; without a connection the kept copy of the page
 * answers, or the offline page. Nothing else (the API, uploads, media) is ever cached. */
"use strict";
var CONFIG = {{ config|safe }};
var VERSION = "__VERSION__";
var SHELL = "nuanxin-shell-" + VERSION;
var STATIC = "nuanxin-static-" + VERSION;
var PAGES = "nuanxin-pages";
// For which account, and when, the pages were fetched ahead: one entry, dropped with the pages.
var KEPT = "nuanxin-kept";
var KEPT_ENTRY = "/sw-kept-pages";

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
        return name.indexOf("nuanxin-") === 0 && name !== SHELL && name !== STATIC && name !== PAGES && name !== KEPT;
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

function keptFor() {
  return caches.open(KEPT).then(function (cache) { return cache.match(KEPT_ENTRY); })
    .then(function (hit) { return hit ? hit.json() : null; }).catch(function () { return null; });
}

/* The static files a kept page loads (its scripts and style sheets), so that it works offline
 * although it was never opened: those not in a cache yet are stored with the other static files. */
function keepAssets(html) {
  var found = {};
  var pattern = /<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g;
  var match;
  while ((match = pattern.exec(html))) {
    var url = new URL(match[1].replace(/&amp;/g, "&"), self.location.origin);
    if (sameOrigin(url) && url.pathname.indexOf(CONFIG.static) === 0) found[url.pathname + url.search] = true;
  }
  return caches.open(STATIC).then(function (cache) {
    return Promise.all(Object.keys(found).map(function (url) {
      return caches.match(url).then(function (hit) {
        if (hit) return null;
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          return response.ok ? cache.put(url, response) : null;
        });
      });
    }));
  });
}

/* Fetch the pages a logged-in worker's phone keeps ahead (the report form) when they are
 * missing, older than CONFIG.keepRefreshMs or kept for another account. Only an answer the
 * server marks for keeping is stored, so a page that sends to the login is never kept. */
function keepPages(urls, owner) {
  return keptFor().then(function (kept) {
    var fresh = kept && kept.owner === owner && Date.now() - kept.at < CONFIG.keepRefreshMs;
    return caches.open(PAGES).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        if (!sameOrigin(new URL(url, self.location.origin))) return null;
        return cache.match(url, { ignoreSearch: true }).then(function (hit) {
          if (hit && fresh) return null;
          return fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
            if (response.ok && response.headers.get(CONFIG.keepHeader) === "keep") {
              return response.clone().text().then(function (html) {
                return Promise.all([cache.put(url, response), keepAssets(html)]);
              });
            }
            return cache.delete(url, { ignoreSearch: true });
          });
        });
      }));
    }).then(function () {
      var entry = JSON.stringify({ owner: owner, at: Date.now() });
      return caches.open(KEPT).then(function (cache) {
        return cache.put(KEPT_ENTRY, new Response(entry, { headers: { "Content-Type": "application/json" } }));
      });
    });
  }).catch(function () {});  // no signal after all: the next page asks again
}

/* A page asks for pages to be kept ahead, or for the kept pages to be forgotten (at logout). */
self.addEventListener("message", function (event) {
  var data = event.data;
  if (data === "forget-pages") {
    event.waitUntil(Promise.all([caches.delete(PAGES), caches.delete(KEPT)]));
  } else if (data && Array.isArray(data.keep)) {
    event.waitUntil(keepPages(data.keep.filter(function (u) { return typeof u === "string" && u; }), String(data.owner || "")));
  }
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
