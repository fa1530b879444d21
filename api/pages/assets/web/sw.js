// The installable app's service worker: the wallet's last balance and history, to read
// offline. Pages are fetched from the network first and kept only if they are the
// wallet's; offline, the kept copy is shown. A form (a payment, a transfer) is never
// kept nor sent later: offline it fails, and the page says so.
"use strict";
const CACHE = "mlc-wallet-v1";
const KEPT = ["/portefeuille", "/portefeuille/historique"];
const ASSETS = ["/assets/web/web.css", "/assets/web/web.js", "/assets/web/icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  // Signing out forgets what was kept, so the next person on this phone sees nothing.
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const kept = KEPT.includes(url.pathname) || ASSETS.includes(url.pathname);
  if (!kept) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && response.type === "basic" && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname).then((hit) => hit || Response.error()))
  );
});
