// Figures: per phase and per party, incidents judged a violation, disputed
// or undetermined per day of their first report (hand-made SVG charts with
// their data tables), compared with the previous period of the same length
// (two calls of GET /api/v1/summary?from&to). The summary counts incidents,
// not reports: the reports of one event, a republished text counting once.
// Below them, claimed vs found (claimed.js).
import {
  h, s, clear, api, announce, agreement, agreementRange, addDays, dayNumber, dayFromNumber, fmtNum, partyName, errorNotice, fmtDay, fmtTime,
  t, tn, lang, phaseName, langQuery,
} from './common.js';
import { initClaimed, followPeriod } from './claimed.js';

const el = (x) => document.getElementById(x);
const kinds = ['violation', 'disputed', 'undetermined'];
const kindName = (k) => t('fig.kind.' + k);
const kindLower = (k) => t('fig.kind_lower.' + k);
let ag = null;
let chartSeq = 0;

// chart draws stacked daily bars for the days from..to. series maps a day
// to counts per kind.
function chart(title, from, to, series, shown) {
  const n0 = dayNumber(from);
  const days = dayNumber(to) - n0 + 1;
  const width = 760;
  const height = 170;
  const left = 36;
  const bottom = 24;
  const top = 10;
  let max = 1;
  for (const c of series.values()) max = Math.max(max, shown.reduce((a, k) => a + (c[k] || 0), 0));
  const bw = (width - left - 8) / days;
  const y = (v) => height - bottom - (v / max) * (height - bottom - top);
  const id = 'chart-' + ++chartSeq;
  const total = shown.map((k) => `${kindName(k)} ${fmtNum([...series.values()].reduce((a, c) => a + (c[k] || 0), 0))}`).join(', ');
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, width: String(width) },
    s('title', { id: `${id}-t` }, title), s('desc', { id: `${id}-d` }, t('fig.chart_desc', { From: fmtDay(from), To: fmtDay(to), Total: total })));
  const axis = s('g', { class: 'axis' });
  const step = max <= 5 ? 1 : Math.ceil(max / 4);
  for (let v = 0; v <= max; v += step) {
    axis.append(s('line', { class: 'grid', x1: left, x2: width - 8, y1: y(v), y2: y(v) }), s('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  const labelEvery = Math.max(1, Math.ceil(days / 12));
  for (let i = 0; i < days; i += labelEvery) {
    axis.append(s('text', { x: left + i * bw + bw / 2, y: height - 6, 'text-anchor': 'middle' }, fmtDay(dayFromNumber(n0 + i), true)));
  }
  svg.append(axis);
  for (let i = 0; i < days; i++) {
    const d = dayFromNumber(n0 + i);
    const c = series.get(d);
    if (!c) continue;
    let acc = 0;
    for (const k of shown) {
      const v = c[k] || 0;
      if (!v) continue;
      svg.append(s('rect', { class: 'bar-' + k, x: left + i * bw + 0.5, y: y(acc + v), width: Math.max(1, bw - 1), height: y(acc) - y(acc + v) },
        s('title', null, `${fmtDay(d)}: ${fmtNum(v)} ${kindLower(k)}`)));
      acc += v;
    }
  }
  return svg;
}

function dataTable(caption, from, to, series, shown) {
  const rows = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n++) {
    const d = dayFromNumber(n);
    const c = series.get(d);
    if (c && shown.some((k) => c[k])) rows.push(h('tr', null, h('th', { scope: 'row' }, fmtDay(d)), shown.map((k) => h('td', { class: 'num' }, fmtNum(c[k] || 0)))));
  }
  return h('details', null, h('summary', null, t('fig.data_table')), rows.length
    ? h('div', { class: 'table-wrap' }, h('table', null, h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('fig.day')), shown.map((k) => h('th', { scope: 'col', class: 'num' }, kindName(k))))),
      h('tbody', null, rows)))
    : h('p', { class: 'muted' }, t('fig.no_days')));
}

function legend(shown) {
  return h('ul', { class: 'chart-legend' }, shown.map((k) => h('li', null, h('span', { class: 'swatch ' + k, 'aria-hidden': 'true' }), kindName(k))));
}

function delta(now, before) {
  const d = now - before;
  if (d === 0) return h('span', null, '±0');
  return h('span', { class: d > 0 ? 'delta-up' : 'delta-down' }, (d > 0 ? '+' : '−') + fmtNum(Math.abs(d)));
}

// schedule says when phase ph was in force under each reading: the
// summary's own lines in English; in the other languages, from the dates
// of the agreement's windows of the phase (the reasons quote the
// agreement's positions, which it writes in English).
function schedule(ph) {
  const agPhase = lang === 'en' || !ag ? null : ag.phases.find((p) => p.id === ph.id);
  if (!agPhase) return ph.schedule;
  const tz = ag.timezone || 'UTC';
  return agPhase.windows.map((w) => {
    const who = (w.parties || []).join(', ');
    if (!w.in_force) return t('fig.sched_never', { Parties: who });
    const start = fmtTime(w.start, tz);
    return w.end ? t('fig.sched_from_until', { Parties: who, From: start, Until: fmtTime(w.end, tz) }) : t('fig.sched_from', { Parties: who, From: start });
  });
}

function partyTable(phase, prevPhase) {
  const prev = new Map((prevPhase ? prevPhase.by_party : []).map((p) => [p.party, p.counts]));
  const names = new Set([...phase.by_party.map((p) => p.party), ...prev.keys()]);
  const cur = new Map(phase.by_party.map((p) => [p.party, p.counts]));
  const zero = { violation: 0, disputed: 0, undetermined: 0 };
  const rows = [...names].sort().map((party) => {
    const c = cur.get(party) || zero;
    const p = prev.get(party) || zero;
    return h('tr', { dataset: { party } }, h('th', { scope: 'row' }, party === 'unknown' ? t('fig.not_established') : partyName(ag, party)),
      kinds.map((k) => h('td', { class: 'num' }, fmtNum(c[k] || 0), ' ', h('span', { class: 'small' }, '(', fmtNum(p[k] || 0), ', ', delta(c[k] || 0, p[k] || 0), ')'))));
  });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'party-table' },
    h('caption', null, t('fig.party_caption')),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('fig.party')), kinds.map((k) => h('th', { scope: 'col', class: 'num' }, kindName(k))))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: '4' }, t('fig.no_incidents'))))));
}

function render(sum, prev, from, to, pfrom, pto) {
  const box = clear(el('figures'));
  const prevBy = new Map(prev.phases.map((p) => [p.id, p]));
  const tt = sum.totals;
  const pt = prev.totals;
  box.append(h('section', { class: 'card' }, h('h2', null, t('fig.all_phases', { From: fmtDay(from), To: fmtDay(to) })),
    h('p', null, t('fig.overview', {
      Reports: tn('fig.n_reports_judged', sum.reports), Incidents: tn('fig.n_incidents', sum.incidents), From: fmtDay(pfrom), To: fmtDay(pto),
      PrevIncidents: tn('fig.n_incidents', prev.incidents), PrevReports: tn('fig.n_reports', prev.reports),
    })),
    h('ul', null, kinds.map((k) => h('li', { dataset: { kind: k } }, t('fig.kind_total', { Kind: kindName(k), N: fmtNum(tt[k]), Prev: fmtNum(pt[k]) }), ' ', delta(tt[k], pt[k]), ')'))),
    h('p', null, t('fig.period_report'), ' ',
      h('a', { id: 'report-html', href: `/api/v1/summary?format=html&from=${from}&to=${to}${langQuery('&')}` }, 'HTML'), ', ',
      h('a', { id: 'report-pdf', href: `/api/v1/summary?format=pdf&from=${from}&to=${to}${langQuery('&')}` }, 'PDF'), '.')));
  for (const ph of sum.phases) {
    const before = prevBy.get(ph.id);
    const series = new Map(ph.daily.map((d) => [d.day, d.counts]));
    const phName = phaseName(ag, ph.id, ph.name);
    const sec = h('section', { class: 'card', dataset: { phase: ph.id } }, h('h2', null, phName));
    sec.append(h('p', { class: 'small muted' }, schedule(ph).join(' · ')));
    const none = (c) => !c || kinds.every((k) => !c[k]);
    if (none(ph.totals) && none(before && before.totals)) {
      sec.append(h('p', null, t('fig.phase_none')));
      box.append(sec);
      continue;
    }
    const tot = kinds.map((k) => t('fig.phase_total', { Kind: kindLower(k), N: fmtNum(ph.totals[k]), Prev: fmtNum(before ? before.totals[k] : 0) })).join(', ');
    sec.append(h('p', null, tot));
    sec.append(legend(kinds), chart(t('fig.phase_chart', { Phase: phName }), from, to, series, kinds), dataTable(t('fig.phase_table', { Phase: phName }), from, to, series, kinds));
    sec.append(partyTable(ph, before));
    // Per party and day: the violations and disputed cases of the period
    // (the summary's per-party daily series; days in the agreement's zone).
    const byParty = new Map();
    for (const pc of ph.by_party || []) {
      const m = new Map();
      for (const d of pc.daily || []) {
        if (d.counts.violation || d.counts.disputed) m.set(d.day, { violation: d.counts.violation, disputed: d.counts.disputed });
      }
      if (m.size) byParty.set(pc.party, m);
    }
    for (const [party, m] of [...byParty.entries()].sort()) {
      const name = party === 'unknown' ? t('fig.party_not_established') : partyName(ag, party);
      sec.append(h('h3', null, t('fig.party_heading', { Phase: phName, Party: name })),
        chart(t('fig.party_chart', { Phase: phName, Party: name }), from, to, m, ['violation', 'disputed']),
        dataTable(t('fig.party_table', { Phase: phName, Party: name }), from, to, m, ['violation', 'disputed']));
    }
    box.append(sec);
  }
  el('figures').dataset.state = 'ready';
  el('fig-message').textContent = '';
  announce(t('fig.shown', { From: fmtDay(from), To: fmtDay(to) }));
}

async function show() {
  const from = el('fig-from').value;
  const to = el('fig-to').value;
  if (!from || !to || from > to) {
    clear(el('fig-message')).append(errorNotice(t('fig.choose_days')));
    return;
  }
  history.replaceState(null, '', `?from=${from}&to=${to}`);
  const len = dayNumber(to) - dayNumber(from) + 1;
  const pfrom = addDays(from, -len);
  const pto = addDays(from, -1);
  el('figures').dataset.state = 'loading';
  el('fig-message').textContent = t('loading');
  const [sum, prev] = await Promise.all([
    api(`/api/v1/summary?cases=false&from=${from}&to=${to}`),
    api(`/api/v1/summary?cases=false&from=${pfrom}&to=${pto}`),
  ]);
  render(sum, prev, from, to, pfrom, pto);
}

async function init() {
  ag = await agreement();
  if (!ag) {
    el('fig-message').textContent = t('fig.no_agreement');
    el('cvf').hidden = true;
    return;
  }
  const params = new URLSearchParams(location.search);
  const r = agreementRange(ag);
  const today = new Date().toISOString().slice(0, 10);
  el('fig-from').value = params.get('from') || (r ? r[0] : addDays(today, -29));
  el('fig-to').value = params.get('to') || (r ? r[1] : today);
  el('fig-form').addEventListener('submit', (e) => {
    e.preventDefault();
    show().catch(fail);
    followPeriod(el('fig-from').value, el('fig-to').value);
  });
  await Promise.all([show(), initClaimed(ag, el('fig-from').value, el('fig-to').value, Boolean(params.get('from') && params.get('to')))]);
}

function fail(e) {
  el('figures').dataset.state = 'error';
  clear(el('fig-message')).append(errorNotice(t('fig.load_failed', { Error: e.message })));
}

init().catch(fail);
