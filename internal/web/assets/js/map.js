// The map page: zones, protected sites and incidents, filtered on the
// server (/api/v1/incidents with bbox, dates, party, outcome, phase,
// status) and fetched a page at a time, so the page stays fast however
// many incidents the record holds.
import {
  h, clear, api, announce, debounce, agreement, agreementRange, outcomeLabel, outcomeBadge, statusBadge,
  severity, fmtTime, fmtNum, dayNumber, dayFromNumber, addDays, partyName, errorNotice, dayStart, t, tn, nameOf,
} from './common.js';
import { addBasemap } from './basemap.js';

const L = window.L;
const PAGE = 500; // incidents per request
const CAP = 1000; // incidents fetched per view before asking the user to narrow it

const el = (id) => document.getElementById(id);
const mapEl = el('map');
const form = el('filters');
const fields = ['from', 'to', 'party', 'outcome', 'phase', 'status'];
let tz = 'UTC';

const map = L.map(mapEl, { zoomSnap: 0.5, minZoom: 3, maxZoom: 15, worldCopyJump: false });
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution(t('map.attribution'));
map.fitBounds([[44, 22], [53, 41]]);

const siteLayer = L.layerGroup();
const incidentLayer = L.markerClusterGroup({
  showCoverageOnHover: false,
  maxClusterRadius: 45,
  chunkedLoading: true,
  spiderfyOnMaxZoom: true,
  iconCreateFunction: clusterIcon,
});

function clusterIcon(cluster) {
  let worst = '';
  for (const m of cluster.getAllChildMarkers()) {
    if (severity(m.options.outcome) > severity(worst)) worst = m.options.outcome;
  }
  const n = cluster.getChildCount();
  const size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 44 : 52;
  const content = h('span', null, h('span', { 'aria-hidden': 'true' }, String(n)),
    h('span', { class: 'visually-hidden' }, tn('map.cluster', n, { Worst: outcomeLabel(worst) })));
  return L.divIcon({ html: content, className: 'cluster cluster-' + (worst || 'none'), iconSize: L.point(size, size) });
}

// Markers grow with corroboration: independent sources plus sensor alerts.
function markerSize(sources) {
  return Math.round(14 + 5 * Math.min(4, Math.log2(Math.max(1, sources || 1))));
}

function incidentMarker(inc, ag) {
  const o = inc.outcome || 'none';
  const size = markerSize(inc.corroboration);
  const who = inc.parties && inc.parties.length ? t('map.marker_by', { Parties: inc.parties.join(', ') }) : '';
  const title = t('map.marker', {
    ID: inc.id, Outcome: outcomeLabel(inc.outcome), By: who, Reports: tn('map.reports', inc.reports || 1),
    Sources: tn('map.sources', inc.corroboration || 1), Date: fmtTime(inc.start, tz, false), Unpublished: inc.published ? '' : t('map.marker_unpublished'),
  });
  const m = L.marker([inc.lat, inc.lon], {
    icon: L.divIcon({ className: `inc inc-${o}${inc.published ? '' : ' unpublished'}`, iconSize: [size, size], html: '' }),
    title,
    alt: title,
    keyboard: true,
    riseOnHover: true,
    outcome: inc.outcome || '',
  });
  m.on('click', () => { window.location.href = '/incidents/' + encodeURIComponent(inc.id); });
  m.on('add', () => {
    const icon = m.getElement();
    if (icon) {
      icon.dataset.incident = inc.id;
      icon.dataset.outcome = inc.outcome || '';
      icon.setAttribute('aria-label', title);
    }
  });
  return m;
}

const siteColours = {
  'energy.nuclear': '#6a3d9a',
  'energy.hydro_dam': '#1f78b4',
  'energy.power_plant.thermal': '#7f4f24',
  'energy.power_plant.solar': '#b8860b',
  'energy.power_plant.wind': '#01665e',
};

async function loadSites() {
  let sites = [];
  try {
    sites = await api('/api/v1/sites');
  } catch (e) {
    mapEl.dataset.sitesError = e.message;
    return 0;
  }
  const renderer = L.svg({ pane: 'sites' });
  for (const st of sites) {
    const colour = siteColours[st.category] || '#4d4d4d';
    const c = L.circleMarker([st.lat, st.lon], {
      renderer, pane: 'sites', radius: 3.5, weight: 1, color: '#222', fillColor: colour, fillOpacity: 0.95, className: 'site',
    });
    const tip = h('div', null, h('strong', null, st.name || st.id),
      h('div', { class: 'small' }, (st.category || t('map.uncategorised')) + (st.capacity_mw ? ` · ${fmtNum(st.capacity_mw)} ${t('map.mw')}` : '') + (st.country ? ` · ${st.country}` : '')));
    c.bindTooltip(tip);
    siteLayer.addLayer(c);
  }
  return sites.length;
}

// Filters and the URL: the filters live in the query string, so a view can
// be shared and the back button works.
function readFilters() {
  const q = {};
  for (const f of fields) if (el(f).value) q[f] = el(f).value;
  return q;
}

function writeURL(q) {
  const p = new URLSearchParams(q);
  if (!el('in-view').checked) p.set('area', 'all');
  const url = p.toString() ? '?' + p.toString() : location.pathname;
  history.replaceState(null, '', url);
}

let sliderBase = 0;
function setupSliders(lo, hi) {
  sliderBase = dayNumber(lo);
  for (const id of ['slider-from', 'slider-to']) {
    el(id).min = '0';
    el(id).max = String(dayNumber(hi) - sliderBase);
  }
}

function syncSliders() {
  const clamp = (v) => Math.max(0, Math.min(Number(el('slider-to').max), v));
  if (el('from').value) el('slider-from').value = String(clamp(dayNumber(el('from').value) - sliderBase));
  if (el('to').value) el('slider-to').value = String(clamp(dayNumber(el('to').value) - sliderBase));
  const a = el('slider-from');
  const b = el('slider-to');
  a.setAttribute('aria-valuetext', el('from').value || t('map.any'));
  b.setAttribute('aria-valuetext', el('to').value || t('map.any'));
}

function onSlider(which) {
  let a = Number(el('slider-from').value);
  let b = Number(el('slider-to').value);
  if (a > b) {
    if (which === 'from') b = a;
    else a = b;
    el('slider-from').value = String(a);
    el('slider-to').value = String(b);
  }
  el('from').value = dayFromNumber(sliderBase + a);
  el('to').value = dayFromNumber(sliderBase + b);
  syncSliders();
  reloadSoon();
}

// Loading incidents.
let generation = 0;
let controller = null;
let items = [];
let next = '';
let lastQuery = '';
let lastFilters = '';

// query is the API query of the filters: days are the agreement's days,
// sent as the instants they begin (to: the instant the next day begins).
function query(cursor) {
  const q = readFilters();
  if (q.from) q.from = dayStart(q.from, tz);
  if (q.to) q.to = dayStart(addDays(q.to, 1), tz);
  if (el('in-view').checked) {
    const b = map.getBounds();
    const r = (v, f) => f(v * 1000) / 1000;
    const box = [
      Math.max(-180, r(b.getWest(), Math.floor)), Math.max(-90, r(b.getSouth(), Math.floor)),
      Math.min(180, r(b.getEast(), Math.ceil)), Math.min(90, r(b.getNorth(), Math.ceil)),
    ];
    q.bbox = box.join(',');
  }
  q.limit = String(PAGE);
  if (cursor) q.cursor = cursor;
  return new URLSearchParams(q).toString();
}

async function reload() {
  const gen = ++generation;
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  const q = readFilters();
  writeURL(q);
  if (q.from && q.to && q.from > q.to) {
    showError(t('map.start_after_end'));
    return;
  }
  mapEl.dataset.state = 'loading';
  el('list-summary').textContent = t('loading');
  items = [];
  next = '';
  lastQuery = query('');
  lastFilters = new URLSearchParams(q).toString();
  try {
    let cursor = '';
    do {
      const page = await api('/api/v1/incidents?' + query(cursor), { signal });
      if (gen !== generation) return;
      items.push(...page.incidents);
      cursor = page.next || '';
    } while (cursor && items.length < CAP);
    next = cursor;
  } catch (e) {
    if (e.name === 'AbortError') return;
    showError(t('map.load_failed', { Error: e.message }));
    return;
  }
  const ag = await agreement().catch(() => null);
  render(ag);
}

async function loadMore() {
  if (!next) return;
  const btn = el('more');
  btn.disabled = true;
  try {
    const page = await api('/api/v1/incidents?' + query(next));
    items.push(...page.incidents);
    next = page.next || '';
  } catch (e) {
    showError(t('map.more_failed', { Error: e.message }));
  } finally {
    btn.disabled = false;
  }
  render(await agreement().catch(() => null));
}

function showError(msg) {
  mapEl.dataset.state = 'error';
  const s = el('list-summary');
  clear(s).append(errorNotice(msg));
  announce(msg);
}

function render(ag) {
  incidentLayer.clearLayers();
  incidentLayer.addLayers(items.map((inc) => incidentMarker(inc, ag)));
  const tbody = el('incident-table').tBodies[0];
  const rows = items.map((inc) => h('tr', { dataset: { incident: inc.id, outcome: inc.outcome || '', parties: (inc.parties || []).join(' '), published: String(inc.published) } },
    h('td', null, h('a', { href: '/incidents/' + encodeURIComponent(inc.id), translate: 'no' }, inc.id), inc.published ? null : [' ', h('span', { class: 'badge unpublished' }, t('unpublished'))]),
    h('td', null, fmtTime(inc.start, tz, false)),
    h('td', null, outcomeBadge(inc.outcome)),
    h('td', null, (inc.parties || []).map((p) => partyName(ag, p)).join(', ') || '—'),
    h('td', null, statusBadge(inc.status)),
    h('td', { class: 'num' }, fmtNum(inc.reports || 1)),
    h('td', { class: 'num' }, fmtNum(inc.corroboration || 1))));
  clear(tbody).append(...rows);
  const more = next ? t('map.summary_more') : '';
  const inView = el('in-view').checked;
  const msg = items.length === 0 ? t(inView ? 'map.none_in_view' : 'map.none')
    : tn(inView ? 'map.summary_in_view' : 'map.summary', items.length) + more;
  el('list-summary').textContent = msg;
  el('more').hidden = !next;
  mapEl.dataset.incidents = String(items.length);
  mapEl.dataset.more = String(Boolean(next));
  mapEl.dataset.query = lastQuery;
  mapEl.dataset.filters = lastFilters;
  mapEl.dataset.state = 'ready';
  announce(msg);
}

const reloadSoon = debounce(reload, 250);

async function init() {
  const params = new URLSearchParams(location.search);
  const [ag] = await Promise.all([agreement().catch(() => null)]);
  if (ag) {
    tz = ag.timezone || 'UTC';
    for (const p of ag.parties) el('party').append(h('option', { value: p.id }, `${nameOf(p)} (${p.id})`));
    for (const ph of ag.phases) el('phase').append(h('option', { value: ph.id }, nameOf(ph)));
  }
  const today = new Date().toISOString().slice(0, 10);
  const range = agreementRange(ag);
  const defFrom = range ? addDays(range[0], -7) : addDays(today, -30);
  let defTo = range ? addDays(range[1], 14) : today;
  if (defTo > today) defTo = today;
  el('from').value = params.get('from') || defFrom;
  el('to').value = params.get('to') || defTo;
  for (const f of ['party', 'outcome', 'phase', 'status']) if (params.get(f)) el(f).value = params.get(f);
  if (params.get('area') === 'all') el('in-view').checked = false;
  let lo = addDays(range ? range[0] : defFrom, -60);
  let hi = addDays(range ? range[1] : defTo, 60);
  if (el('from').value < lo) lo = el('from').value;
  if (el('to').value > hi) hi = el('to').value;
  setupSliders(lo, hi);
  syncSliders();

  form.addEventListener('submit', (e) => { e.preventDefault(); reload(); });
  form.addEventListener('change', (e) => {
    if (e.target.id === 'slider-from' || e.target.id === 'slider-to') return;
    syncSliders();
    reloadSoon();
  });
  el('slider-from').addEventListener('input', () => onSlider('from'));
  el('slider-to').addEventListener('input', () => onSlider('to'));
  form.addEventListener('reset', () => {
    setTimeout(() => {
      el('from').value = defFrom;
      el('to').value = defTo;
      syncSliders();
      reload();
    }, 0);
  });
  el('more').addEventListener('click', loadMore);
  map.on('moveend', () => { if (el('in-view').checked) reloadSoon(); });

  const [base, nsites] = await Promise.all([addBasemap(map), loadSites()]);
  siteLayer.addTo(map);
  incidentLayer.addTo(map);
  const overlays = { [t('map.layer_sites')]: siteLayer, [t('map.layer_incidents')]: incidentLayer };
  if (base.layer) overlays[t('map.layer_zones')] = base.layer;
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 800 }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  mapEl.dataset.zones = String(base.zones);
  mapEl.dataset.sites = String(nsites);
  await reload();
}

init().catch((e) => showError(t('map.init_failed', { Error: e.message })));
