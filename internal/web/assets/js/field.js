// The field form (issue 19): monitors record observations and
// restrictions of their access, with or without a connection. What is
// typed is kept as a draft on the device (localStorage); a submitted
// record joins a queue on the device and is sent (POST
// /api/v1/observations or /api/v1/restrictions) at once if it can be,
// else when the connection returns. Each record gets its id when it is
// submitted: the id is the idempotency key, so a record sent twice (a
// response lost with the connection) is stored once.
import { h, clear, api, announce, agreement, errorNotice, t, lang, nameOf, fmtTime } from './common.js';

const el = (x) => document.getElementById(x);
const queueKey = 'truce.field.queue.v1';
const sentKey = 'truce.field.sent.v1';
const draftKey = (form) => 'truce.field.draft.v1.' + form.id;
const compass = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];

function load(key, def) {
  try {
    const v = JSON.parse(localStorage.getItem(key));
    return v === null ? def : v;
  } catch (_) {
    return def;
  }
}

function store(key, v) {
  localStorage.setItem(key, JSON.stringify(v));
}

// newID is a fresh submission id: random, so that two devices never
// share one.
function newID(prefix) {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return prefix + '-' + [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// instant turns a datetime-local value into RFC 3339 with the device's
// offset.
function instant(value) {
  const d = new Date(value);
  if (!value || Number.isNaN(d.getTime())) return '';
  const off = -d.getTimezoneOffset();
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${value.length === 16 ? value + ':00' : value}${off >= 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
}

// bodyOf reads a form into the API's body, leaving out what is empty.
function bodyOf(form) {
  const numbers = new Set(['lat', 'lon', 'count', 'distance_min_km', 'distance_max_km', 'duration_min', 'patrol_size']);
  const body = {};
  for (const f of form.elements) {
    if (!f.name || f.value === '') continue;
    if (f.type === 'datetime-local') body[f.name] = instant(f.value);
    else if (numbers.has(f.name)) body[f.name] = Number(f.value);
    else body[f.name] = f.value.trim();
  }
  if (form.dataset.kind === 'observation' && body.kind !== 'explosion') delete body.explosion;
  return body;
}

function saveDraft(form) {
  const d = {};
  for (const f of form.elements) if (f.name) d[f.name] = f.value;
  store(draftKey(form), d);
}

function restoreDraft(form) {
  const d = load(draftKey(form), null);
  if (!d) return;
  for (const f of form.elements) if (f.name && d[f.name] !== undefined) f.value = d[f.name];
}

// word names a kind or an outcome of the API in the page's language (in
// English, the API's own name), or shows it as it is when the catalogue
// has no name for it.
function word(kind, v) {
  const id = `field.${kind}.${v}`;
  const s = t(id);
  return s === id ? String(v) : s;
}

// when shows the instant a record was submitted with: as sent, in
// English; in the device's time zone by the language's rules in the others.
function when(start) {
  if (lang === 'en' || !start) return start;
  let tz = 'UTC';
  try {
    tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch (_) {
    // UTC
  }
  return fmtTime(start, tz);
}

// summary is a queued record in a few words; the area is the monitor's
// own words, shown as typed.
function summary(item) {
  const b = item.body;
  const area = b.area ? [', ', h('span', { translate: 'no' }, b.area)] : [];
  if (item.kind === 'observation') {
    const kind = `${word('kind', b.kind)}${b.explosion ? ' (' + word('kind', b.explosion) + ')' : ''}`;
    return [`${t('field.count_kind', { Count: String(b.count || 1), Kind: kind })}, ${when(b.start)}`, ...area];
  }
  return [`${word('kind', b.kind)}, ${when(b.start)}`, ...area];
}

function render() {
  const rows = [];
  for (const it of load(queueKey, [])) {
    rows.push(h('tr', { dataset: { id: it.body.id, state: it.error ? 'refused' : 'queued' } }, h('td', null, it.body.id), h('td', null, summary(it)),
      h('td', null, it.error ? t('field.refused', { Error: it.error }) : t('field.queued'))));
  }
  for (const it of load(sentKey, [])) {
    rows.push(h('tr', { dataset: { id: it.body.id, state: 'sent' } }, h('td', null, it.body.id), h('td', null, summary(it)),
      h('td', null, t('field.sent', { Outcome: it.outcome ? word('outcome', it.outcome) : t('field.stored') }))));
  }
  clear(el('f-queue').tBodies[0]).append(...rows);
}

let flushing = null;

// flush sends the queued records in order. A record the server refuses
// (4xx) stays on the device, marked refused, so that nothing typed is
// lost; a network failure stops the round and leaves the rest queued.
// One round runs at a time.
function flush() {
  if (flushing) return flushing;
  flushing = (async () => {
    for (const it of load(queueKey, [])) {
      if (it.error) continue;
      let out;
      try {
        out = await api(it.kind === 'observation' ? '/api/v1/observations' : '/api/v1/restrictions', { method: 'POST', body: it.body });
      } catch (err) {
        if (!err.status || err.status >= 500 || err.status === 429 || err.status === 401) break; // try again later
        it.error = err.message;
        store(queueKey, load(queueKey, []).map((x) => (x.body.id === it.body.id ? it : x)));
        continue;
      }
      store(queueKey, load(queueKey, []).filter((x) => x.body.id !== it.body.id));
      store(sentKey, [{ ...it, outcome: out.outcome || '' }, ...load(sentKey, []).filter((x) => x.body.id !== it.body.id)].slice(0, 50));
      announce(t('field.announce_sent', { ID: it.body.id }));
    }
  })().finally(() => {
    flushing = null;
    render();
  });
  return flushing;
}

function submit(form) {
  if (!form.reportValidity()) return;
  const kind = form.dataset.kind;
  const body = { id: newID(kind === 'observation' ? 'obs' : 'fom'), ...bodyOf(form) };
  store(queueKey, [...load(queueKey, []), { kind, body, queued: new Date().toISOString() }]);
  localStorage.removeItem(draftKey(form));
  form.reset();
  render();
  announce(t('field.announce_queued', { ID: body.id }));
  flush();
}

function showNetwork() {
  const n = el('f-net');
  n.dataset.online = String(navigator.onLine);
  n.textContent = navigator.onLine ? t('field.online') : t('field.offline');
}

async function init() {
  el('o-direction').append(...compass.map((c) => h('option', { value: c }, t('field.dir.' + c))));
  const ag = await agreement().catch(() => null);
  for (const p of ag ? ag.parties.filter((x) => !x.mediator) : []) {
    for (const id of ['o-party', 'x-party']) el(id).append(h('option', { value: p.id }, `${nameOf(p)} (${p.id})`));
  }
  for (const form of [el('obs-form'), el('fom-form')]) {
    restoreDraft(form);
    form.addEventListener('input', () => saveDraft(form));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      try {
        submit(form);
      } catch (err) {
        form.append(errorNotice(t('field.not_queued', { Error: err.message })));
      }
    });
  }
  el('f-send').addEventListener('click', () => flush());
  window.addEventListener('online', () => {
    showNetwork();
    flush();
  });
  window.addEventListener('offline', showNetwork);
  setInterval(() => {
    if (load(queueKey, []).some((x) => !x.error)) flush();
  }, 15000);
  showNetwork();
  render();
  keepOffline();
  document.body.dataset.fieldReady = 'true';
  flush();
}

// keepOffline registers the service worker that keeps this page on the
// device (a secure context only: https, or localhost) and names what the
// page loaded, so that the next visit opens without a connection.
function keepOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/field-sw.js', { scope: '/field' }).then(() => navigator.serviceWorker.ready).then((reg) => {
    const urls = [location.pathname, '/api/v1/agreement'].concat(performance.getEntriesByType('resource').map((e) => e.name).filter((u) => new URL(u).pathname.startsWith('/static/')));
    reg.active.postMessage({ keep: urls });
    document.body.dataset.offlineReady = 'true';
  }).catch(() => {
    document.body.dataset.offlineReady = 'false';
  });
}

init();
