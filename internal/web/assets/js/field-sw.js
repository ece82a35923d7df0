// The field form's service worker (served at /field-sw.js, scope /field:
// it controls the field form's page only, and the requests that page
// makes). It keeps the page, its scripts and styles and the agreement on
// the device, so that the form opens without a connection. Every
// request goes to the network first; only when that fails is the kept
// copy used. Nothing is written here: the records themselves wait in the
// page's own queue (field.js).
const CACHE = 'truce-field-v1';

function keep(url) {
  const u = new URL(url);
  return u.origin === location.origin && (u.pathname === '/field' || u.pathname.startsWith('/static/') || u.pathname === '/api/v1/agreement');
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

// The page names what it loaded (its own address, its scripts and
// styles): they are kept at once, before the next visit.
self.addEventListener('message', (e) => {
  const urls = (e.data && e.data.keep) || [];
  e.waitUntil(caches.open(CACHE).then((c) => Promise.all(urls.filter(keep).map((u) => c.add(u).catch(() => null)))));
});

self.addEventListener('fetch', (e) => {
  if (e.request.method !== 'GET' || !keep(e.request.url)) return;
  e.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const r = await fetch(e.request);
      if (r.ok) await cache.put(e.request, r.clone());
      return r;
    } catch (err) {
      const hit = await cache.match(e.request, { ignoreVary: true, ignoreSearch: false });
      if (hit) return hit;
      throw err;
    }
  })());
});
