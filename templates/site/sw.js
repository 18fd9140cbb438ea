// Pasar OPOP's service worker (marketplace/site/pwa.py): when a page cannot be loaded because
// the phone has no connection, show the offline page instead of the browser's error.
// It stores only the offline page and the static files that page shows. Every page is fetched
// from the network as it would be without this worker and never stored: carts, orders and
// accounts must not stay behind on a shared phone.
"use strict";

var CACHE = {{ cache_name|tojson }};
var CACHE_PREFIX = {{ cache_prefix|tojson }};
var OFFLINE_URL = {{ offline_url|tojson }};
var PRECACHE = {{ precache|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // Without cookies, so the stored page is the one any visitor gets; past the browser's
      // HTTP cache, so it is this version's.
      return cache.addAll(PRECACHE.map(function (url) {
        return new Request(url, { credentials: "omit", cache: "reload" });
      }));
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(CACHE_PREFIX) === 0 && name !== CACHE;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      // The page's request starts while the worker starts up, rather than after.
      if (self.registration.navigationPreload) {
        return self.registration.navigationPreload.enable();
      }
      return undefined;
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function offlinePage() {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(OFFLINE_URL);
  }).then(function (response) {
    return response || Response.error();
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  // Forms that post are left to the browser: it says itself that the request did not go.
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      Promise.resolve(event.preloadResponse).then(function (preloaded) {
        return preloaded || fetch(request);
      }).catch(offlinePage)
    );
    return;
  }
  var url = new URL(request.url);
  if (url.origin === self.location.origin && url.search === "" &&
      PRECACHE.indexOf(url.pathname) !== -1) {
    // The offline page's stylesheet and images: the network's copy, the stored one offline.
    event.respondWith(
      fetch(request).catch(function () {
        return caches.open(CACHE).then(function (cache) {
          return cache.match(url.pathname);
        }).then(function (response) {
          return response || Response.error();
        });
      })
    );
  }
});
