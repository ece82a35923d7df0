// Shared helpers of the dashboard's pages: DOM building (text only, never
// innerHTML: report text and every other record field are untrusted), API
// calls with the session's CSRF token, and formatting.

export const viewer = {
  role: document.body.dataset.role || '',
  party: document.body.dataset.party || '',
  signedIn: document.body.dataset.signedIn === 'true',
};

// The page's language and its messages (the catalogue's web.js.*, embedded
// by the server as JSON in #i18n): t renders one, tn one with plural
// forms chosen by the language's CLDR rules, tx one with DOM nodes for
// some of its fields. A message the page lacks shows as its id.
const dict = (() => {
  try {
    return JSON.parse(document.getElementById('i18n').textContent);
  } catch (_) {
    return { lang: 'en', messages: {} };
  }
})();
export const lang = dict.lang || 'en';
const locale = lang === 'en' ? 'en-GB' : lang;
const plurals = new Intl.PluralRules(locale);

function template(id, n) {
  const m = dict.messages[id];
  if (m === undefined) return id;
  if (typeof m === 'string') return m;
  return (n !== undefined && m[plurals.select(n)]) || m.other;
}

function parts(src, vars) {
  return src.split(/\{\{\s*\.(\w+)\s*\}\}/).map((x, i) => (i % 2 ? (vars && vars[x] !== undefined ? vars[x] : '') : x));
}

export const t = (id, vars) => parts(template(id), vars).join('');
export const tn = (id, n, vars) => parts(template(id, n), { Count: fmtNum(n), ...vars }).join('');
// label names value v of a kind of value (kind.v in the catalogue, e.g.
// basis.text), or shows v as it is when the catalogue has no name for it.
export const label = (kind, v) => (v && dict.messages[`${kind}.${v}`] !== undefined ? t(`${kind}.${v}`) : String(v || '?'));
export const tx = (id, vars) => parts(template(id), vars).filter((x) => x !== '');

export const isMonitor = () => viewer.role === 'monitor' || viewer.role === 'admin';

// h builds an HTML element. Strings among the children become text nodes.
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

// s builds an SVG element.
export function s(tag, attrs, ...children) {
  return build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);
}

function build(el, attrs, children) {
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'href') el.setAttribute('href', safeHref(v));
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// safeHref allows only links within this site.
function safeHref(v) {
  const str = String(v);
  return (str.startsWith('/') && !str.startsWith('//')) || str.startsWith('#') ? str : '#';
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// announce tells screen-reader users what changed.
export function announce(msg) {
  const el = document.getElementById('announce');
  if (el) el.textContent = msg;
}

export function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// csrfToken is the session's CSRF token, from the non-HttpOnly cookie the
// server set at sign-in.
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'truce_csrf') return decodeURIComponent(v.join('='));
  }
  return '';
}

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// api calls the JSON API as the signed-in user (the session cookie is sent
// by the browser; the server turns it into a bearer token).
export async function api(path, opts = {}) {
  const method = opts.method || 'GET';
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', signal: opts.signal };
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  const r = await fetch(path, init);
  if (!r.ok) throw await apiError(r);
  if (opts.raw) return r;
  if (r.status === 204) return null;
  return r.json();
}

async function apiError(r) {
  let msg = `${r.status} ${r.statusText}`;
  try {
    const j = await r.json();
    msg = j.detail || j.title || msg;
    if (Array.isArray(j.errors) && j.errors.length) {
      msg += ': ' + j.errors.map((e) => `${e.location || ''} ${e.message || ''}`.trim()).join('; ');
    }
  } catch (_) {
    // not JSON: keep the status line
  }
  if (r.status === 401) msg += t('api.sign_in_again');
  return new APIError(r.status, msg);
}

export const outcomes = ['violation', 'disputed', 'undetermined', 'not_prohibited'];
export const outcomeLabel = (o) => (outcomes.includes(o) ? t('outcome.' + o) : o ? o : t('outcome.none'));
export const severity = (o) => ({ violation: 4, disputed: 3, undetermined: 2, not_prohibited: 1 })[o] || 0;

const statuses = ['reported', 'under_review', 'verified', 'unverifiable', 'dismissed'];
export const statusLabel = (st) => (statuses.includes(st) ? t('status.' + st) : st);

export function outcomeBadge(o) {
  return h('span', { class: 'badge ' + (o || 'none') }, outcomeLabel(o));
}

export function statusBadge(st) {
  return h('span', { class: 'badge status' }, statusLabel(st));
}

// Dates. Days are YYYY-MM-DD strings; the API reads them as UTC days.
const DAY = 86400000;
export const dayOf = (d) => new Date(d).toISOString().slice(0, 10);
export const dayNumber = (day) => Math.floor(Date.parse(day + 'T00:00:00Z') / DAY);
export const dayFromNumber = (n) => new Date(n * DAY).toISOString().slice(0, 10);
export const addDays = (day, n) => dayFromNumber(dayNumber(day) + n);

// fmtTime shows an instant in the agreement's time zone (or UTC): as
// 2025-03-18 15:28 in English, by the language's rules in the others
// (18 березня 2025 р. о 15:28).
export function fmtTime(iso, tz, withTime = true) {
  if (!iso) return '';
  const d = new Date(iso);
  if (lang !== 'en') return localTime(d, tz, withTime);
  const opts = { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: tz || 'UTC' };
  if (withTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  try {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', opts).formatToParts(d).map((x) => [x.type, x.value]));
    const date = `${p.year}-${p.month}-${p.day}`;
    return withTime ? `${date} ${p.hour}:${p.minute}` : date;
  } catch (_) {
    return d.toISOString().slice(0, withTime ? 16 : 10).replace('T', ' ');
  }
}

function localTime(d, tz, withTime) {
  const opts = { year: 'numeric', month: 'long', day: 'numeric', timeZone: tz || 'UTC' };
  if (withTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  try {
    return new Intl.DateTimeFormat(locale, opts).format(d);
  } catch (_) {
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' }).format(d);
  }
}

// fmtDay shows a day (YYYY-MM-DD) as it is, in English, and by the
// language's rules in the others; short leaves the year out.
export function fmtDay(day, short = false) {
  if (lang === 'en') return short ? day.slice(5) : day;
  const opts = short ? { day: '2-digit', month: '2-digit', timeZone: 'UTC' } : { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(locale, opts).format(new Date(day + 'T00:00:00Z'));
}

// dayStart is the instant (RFC 3339, UTC) at which the day begins in the
// time zone tz, so that filters by day mean the agreement's days, as the
// dates on the page do.
export function dayStart(day, tz) {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  let t = wall;
  for (let i = 0; i < 2; i++) t = wall - offsetAt(t, tz);
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

// offsetAt is how far the wall clock of tz is ahead of UTC at instant t, in ms.
function offsetAt(t, tz) {
  if (!tz || tz === 'UTC') return 0;
  try {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(t / 1000) * 1000;
  } catch (_) {
    return 0;
  }
}

export const fmtNum = (n) => Number(n).toLocaleString(locale);

// agreement fetches the current agreement once per page; null if none.
let agreementPromise = null;
export function agreement() {
  if (!agreementPromise) {
    agreementPromise = api('/api/v1/agreement').catch((e) => {
      if (e.status === 404) return null;
      throw e;
    });
  }
  return agreementPromise;
}

// agreementRange is the period the agreement's phases were in force under
// any reading, as days: [first start, last end].
// langQuery is the query parameter that asks the API for the page's
// language, after sep ('?' or '&'); nothing in English.
export const langQuery = (sep) => (lang === 'en' ? '' : `${sep}lang=${lang}`);

export function agreementRange(ag) {
  let first = null;
  let last = null;
  for (const ph of ag ? ag.phases : []) {
    for (const w of ph.windows) {
      if (!w.in_force || !w.start) continue;
      const st = dayOf(w.start);
      const en = w.end ? dayOf(Date.parse(w.end) - 1) : st;
      if (!first || st < first) first = st;
      if (!last || en > last) last = en;
    }
  }
  return first ? [first, last] : null;
}

// nameOf is the name of an agreement's party, zone, category or phase in
// the page's language when the agreement gives one, else in English.
export const nameOf = (x) => (x.names && x.names[lang]) || x.name;

export function partyName(ag, id) {
  const p = ag && ag.parties.find((x) => x.id === id);
  return p ? `${nameOf(p)} (${id})` : id;
}

// whyOf says when a phase's window (of GET /api/v1/agreement) is in
// force, or why it is not, in the page's language when the API gives it.
export const whyOf = (w) => (w.whys && w.whys[lang]) || w.why;

// phaseName is phase id's name in the page's language, else fallback.
export function phaseName(ag, id, fallback) {
  const ph = ag && ag.phases.find((x) => x.id === id);
  return ph ? nameOf(ph) : fallback;
}

export function errorNotice(msg) {
  return h('p', { class: 'notice error', role: 'alert' }, msg);
}
