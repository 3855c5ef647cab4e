// itdose service worker: after one visit the app loads and computes with the network off.
// It caches the build's own files only (the list the build wrote: sw-assets.js), under a cache
// named after that list, so a new build gets a new cache; requests to any other origin are never
// made or cached. A new version waits until the page asks it to take over (no reload on its own).
importScripts('./sw-assets.js'); // defines self.ITDOSE_ASSETS = { version, files }

const CACHE = `itdose-${self.ITDOSE_ASSETS.version}`;
const FILES = ['./', ...self.ITDOSE_ASSETS.files.map(f => `./${f}`)];

self.addEventListener('install', event => {
  event.waitUntil(caches.open(CACHE).then(cache => cache.addAll(FILES)));
});

self.addEventListener('activate', event => {
  event.waitUntil(caches.keys().then(keys => Promise.all(
    keys.filter(k => k.startsWith('itdose-') && k !== CACHE).map(k => caches.delete(k)))));
});

self.addEventListener('message', event => {
  if (event.data === 'take-over') self.skipWaiting();
});

self.addEventListener('fetch', event => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The page itself (any fragment, any screen) is the cached index.html.
    const key = request.mode === 'navigate' ? './' : request;
    const hit = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    return fetch(request);
  })());
});
