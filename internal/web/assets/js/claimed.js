// Claimed vs found, on the Figures page: per accused party and day, the
// claims made against it by status beside what truce found against it,
// under each reading, with running totals from each reading's start (GET
// /api/v1/claims/figures?from&to, the JSON of internal/claims.Table). A
// table per party and reading, and a line chart of the running totals.
// Fields the API does not send count as zero.
import {
  h, s, clear, api, announce, fmtTime, fmtNum, partyName, errorNotice, dayNumber, dayFromNumber, fmtDay, t as tr, tn,
} from './common.js';

const el = (x) => document.getElementById(x);
// The columns: the field and its heading (the catalogue's cvf.col.*).
const cols = (ks) => ks.map((k) => [k, tr('cvf.col.' + k)]);
const claimCols = cols(['total', 'corroborated', 'contradicted', 'judged', 'unverified']);
const foundCols = cols(['violations', 'disputed', 'undetermined']);
const runningCols = cols(['claims', 'corroborated', 'contradicted', 'judged', 'violations', 'disputed']);
const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);
const arr = (v) => (Array.isArray(v) ? v : []);

// The bundled agreement's period of the 2025 moratorium, from Russia's
// start (18 March) to the day after its 30 days (17 April).
const BUNDLED = 'energy-ceasefire-2025';
const BUNDLED_PERIOD = ['2025-03-18', '2025-04-17'];

let ag = null;
let seq = 0;

function readingLabel(r, tz) {
  const who = arr(r.parties).length ? arr(r.parties).join(', ') : r.name;
  const from = r.start ? fmtTime(r.start, tz, false) : '';
  return tr(from ? 'cvf.reading_from' : 'cvf.reading', { Who: who, From: from });
}

// foundOf is the day's finding under reading r (index i).
function foundOf(d, r, i) {
  const fs = arr(d.found);
  return fs.find((f) => f.reading === r.name) || fs[i] || null;
}

function readingTable(t, p, r, i, tz) {
  const name = partyName(ag, p.accused);
  const rows = [];
  for (const d of arr(p.days)) {
    const c = d.claims || {};
    const f = foundOf(d, r, i);
    const inForce = f ? f.in_force !== false : false;
    const empty = !num(c.total) && !(f && (num(f.violations) || num(f.disputed) || num(f.undetermined)));
    if (empty) continue;
    const run = (f && f.running) || {};
    rows.push(h('tr', { class: inForce ? null : 'not-in-force', dataset: { day: d.day } },
      h('th', { scope: 'row' }, fmtDay(d.day)),
      claimCols.map(([k]) => h('td', { class: 'num', dataset: { col: 'claims-' + k } }, String(num(c[k])))),
      foundCols.map(([k]) => inForce
        ? h('td', { class: 'num', dataset: { col: 'found-' + k } }, String(num(f[k])))
        : h('td', { class: 'num muted', title: tr('cvf.not_in_force') }, '—')),
      runningCols.map(([k]) => h('td', { class: 'num running' }, inForce ? String(num(run[k])) : '—'))));
  }
  const tot = arr(p.totals).find((x) => x.reading === r.name) || arr(p.totals)[i] || {};
  const from = r.start ? fmtTime(r.start, tz, false) : fmtDay(t.from);
  const caption = tr('cvf.caption', { Name: name, Reading: readingLabel(r, tz) });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'cvf-table', dataset: { accused: p.accused, reading: r.name } },
    h('caption', null, caption),
    h('thead', null,
      h('tr', null, h('th', { scope: 'col', rowspan: '2' }, tr('fig.day')),
        h('th', { scope: 'colgroup', colspan: String(claimCols.length), class: 'group' }, tr('cvf.claims_made')),
        h('th', { scope: 'colgroup', colspan: String(foundCols.length), class: 'group' }, tr('cvf.found')),
        h('th', { scope: 'colgroup', colspan: String(runningCols.length), class: 'group' }, tr('cvf.running_from', { From: from }))),
      h('tr', null, [...claimCols, ...foundCols, ...runningCols].map(([, l]) => h('th', { scope: 'col', class: 'num' }, l)))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: String(1 + claimCols.length + foundCols.length + runningCols.length) }, tr('cvf.none_in_period')))),
    h('tfoot', null, h('tr', { class: 'totals' }, h('th', { scope: 'row' }, tr('cvf.total_from', { From: from })),
      h('td', { class: 'num' }, String(num(tot.claims))), ['corroborated', 'contradicted', 'judged', 'unverified'].map((k) => h('td', { class: 'num' }, String(num(tot[k])))),
      foundCols.map(([k]) => h('td', { class: 'num' }, String(num(tot[k])))),
      h('td', { colspan: String(runningCols.length) })))));
}

// runningChart draws, per reading, the running count of claims against
// the party (solid) and of violations truce found (dashed).
function runningChart(t, p, tz) {
  const n0 = dayNumber(t.from);
  const days = Math.max(1, dayNumber(t.to) - n0 + 1);
  const width = 760;
  const height = 180;
  const left = 36;
  const bottom = 24;
  const top = 10;
  const byDay = new Map(arr(p.days).map((d) => [d.day, d]));
  const readings = arr(t.readings);
  const lines = [];
  let max = 1;
  readings.forEach((r, i) => {
    for (const [k, cls] of [['claims', 'claims'], ['violations', 'found']]) {
      const pts = [];
      let last = 0;
      for (let n = 0; n < days; n++) {
        const d = byDay.get(dayFromNumber(n0 + n));
        const f = d ? foundOf(d, r, i) : null;
        if (f && f.running) last = num(f.running[k]);
        else if (f && f.in_force === false) last = 0;
        pts.push(last);
        max = Math.max(max, last);
      }
      lines.push({ r, i, k, cls, pts });
    }
  });
  const x = (n) => left + (n + 0.5) * ((width - left - 8) / days);
  const y = (v) => height - bottom - (v / max) * (height - bottom - top);
  const id = 'cvf-chart-' + ++seq;
  const name = partyName(ag, p.accused);
  const desc = lines.map((l) => `${readingLabel(l.r, tz)}: ${tr(l.k === 'claims' ? 'cvf.line_claims' : 'cvf.line_found')} ${fmtNum(l.pts[l.pts.length - 1] || 0)}`).join('; ');
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, width: String(width) },
    s('title', { id: `${id}-t` }, tr('cvf.chart_title', { Name: name })),
    s('desc', { id: `${id}-d` }, tr('cvf.chart_desc', { To: fmtDay(t.to), Desc: desc })));
  const axis = s('g', { class: 'axis' });
  const step = max <= 5 ? 1 : Math.ceil(max / 4);
  for (let v = 0; v <= max; v += step) {
    axis.append(s('line', { class: 'grid', x1: left, x2: width - 8, y1: y(v), y2: y(v) }), s('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  const every = Math.max(1, Math.ceil(days / 12));
  for (let n = 0; n < days; n += every) axis.append(s('text', { x: x(n), y: height - 6, 'text-anchor': 'middle' }, fmtDay(dayFromNumber(n0 + n), true)));
  svg.append(axis);
  for (const l of lines) {
    svg.append(s('polyline', { class: `cvf-line reading-${l.i} ${l.cls}`, fill: 'none', points: l.pts.map((v, n) => `${x(n).toFixed(1)},${y(v).toFixed(1)}`).join(' ') },
      s('title', null, `${readingLabel(l.r, tz)}: ${tr(l.k === 'claims' ? 'cvf.line_claims' : 'cvf.line_found')}`)));
  }
  return svg;
}

function legend(t, tz) {
  return h('ul', { class: 'chart-legend' }, arr(t.readings).flatMap((r, i) => [
    h('li', null, h('span', { class: `line-swatch reading-${i} claims`, 'aria-hidden': 'true' }), tr('cvf.legend_claims', { Reading: readingLabel(r, tz) })),
    h('li', null, h('span', { class: `line-swatch reading-${i} found`, 'aria-hidden': 'true' }), tr('cvf.legend_found', { Reading: readingLabel(r, tz) }))]));
}

function render(t) {
  const box = clear(el('cvf-body'));
  const tz = t.time_zone || (ag && ag.timezone) || 'UTC';
  const readings = arr(t.readings);
  const parties = arr(t.parties);
  if (!parties.length) {
    box.append(h('p', { class: 'muted' }, tr('cvf.none', { From: fmtDay(t.from), To: fmtDay(t.to) })));
    return;
  }
  if (!readings.length) box.append(h('p', { class: 'notice' }, tr('cvf.no_readings')));
  box.append(h('p', null, tr('cvf.period', { From: fmtDay(t.from), To: fmtDay(t.to), TZ: tz, Readings: readings.map((r) => readingLabel(r, tz)).join('; ') || tr('cvf.readings_none') })));
  for (const p of parties) {
    const name = partyName(ag, p.accused);
    const sec = h('section', { class: 'cvf-party', dataset: { accused: p.accused } }, h('h3', null, tr('cvf.against', { Name: name })));
    sec.append(h('ul', null, readings.map((r, i) => {
      const tot = arr(p.totals).find((x) => x.reading === r.name) || arr(p.totals)[i] || {};
      return h('li', { dataset: { reading: r.name } }, tr('cvf.reading_totals', {
        Reading: readingLabel(r, tz), Claims: tn('cvf.n_claims', num(tot.claims)), Corroborated: fmtNum(num(tot.corroborated)),
        Contradicted: fmtNum(num(tot.contradicted)), Judged: fmtNum(num(tot.judged)), Unverified: fmtNum(num(tot.unverified)),
        Violations: tn('cvf.n_violations', num(tot.violations)), Disputed: fmtNum(num(tot.disputed)), Undetermined: fmtNum(num(tot.undetermined)),
      }));
    })));
    if (readings.length) sec.append(legend(t, tz), h('div', { class: 'chart-wrap' }, runningChart(t, p, tz)));
    sec.append(h('p', { class: 'small muted' }, tr('cvf.left_out')));
    readings.forEach((r, i) => sec.append(readingTable(t, p, r, i, tz)));
    box.append(sec);
  }
}

async function load() {
  const from = el('cvf-from').value;
  const to = el('cvf-to').value;
  const sec = el('cvf');
  if (!from || !to || from > to) {
    clear(el('cvf-message')).append(errorNotice(tr('fig.choose_days')));
    return;
  }
  sec.dataset.state = 'loading';
  el('cvf-message').textContent = tr('loading');
  try {
    const t = await api(`/api/v1/claims/figures?from=${from}&to=${to}`);
    render(t);
    sec.dataset.state = 'ready';
    sec.dataset.from = t.from || from;
    sec.dataset.to = t.to || to;
    el('cvf-message').textContent = '';
    announce(tr('cvf.shown', { From: fmtDay(from), To: fmtDay(to) }));
  } catch (e) {
    if (e.status === 404) {
      sec.hidden = true;
      sec.dataset.state = 'absent';
      return;
    }
    sec.dataset.state = 'error';
    clear(el('cvf-message')).append(errorNotice(tr('cvf.load_failed', { Error: e.message })));
  }
}

// initClaimed shows claimed vs found. Its period is the one in the
// address (cfrom, cto), else the page's when the address gives one, else
// 18 March – 17 April 2025 for the bundled agreement, else the page's.
export function initClaimed(agr, from, to, explicit) {
  ag = agr;
  const params = new URLSearchParams(location.search);
  let period = [from, to];
  if (params.get('cfrom') && params.get('cto')) period = [params.get('cfrom'), params.get('cto')];
  else if (!explicit && ag && ag.id === BUNDLED) period = BUNDLED_PERIOD;
  el('cvf-from').value = period[0];
  el('cvf-to').value = period[1];
  el('cvf-form').addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  return load();
}

// followPeriod shows claimed vs found for the period the page was asked for.
export function followPeriod(from, to) {
  el('cvf-from').value = from;
  el('cvf-to').value = to;
  return load();
}
