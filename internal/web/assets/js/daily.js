// The daily report on the Figures page (GET /api/v1/daily?date=): the
// mission-wide figures, then per area and per side, each beside the
// previous day and with the running totals; links to the same report as
// HTML, PDF and JSON. The figures are named by their keys in the page's
// language (the API's English label for a key the catalogue lacks); the
// areas are the records' own place names, shown as written.
import { h, clear, api, agreement, agreementRange, errorNotice, t, tx, lang, fmtDay, fmtNum } from './common.js';

const el = (x) => document.getElementById(x);
// Read before figures.js rewrites the address to its own period.
const dayParam = new URLSearchParams(location.search).get('day');

// The names the API gives the records without an area or a side.
const noArea = '(area not given)';
const noSide = '(not attributed)';

// num shows a count: as it is in English, by the language's rules in the
// others (1 234).
const num = (n) => (lang === 'en' ? String(n) : fmtNum(n));

function figLabel(c) {
  const id = 'daily.fig.' + c.key.replaceAll('.', '_');
  const s = t(id);
  return s === id ? c.label : s;
}

function areaCell(name) {
  return name === noArea ? t('daily.area_not_given') : h('span', { translate: 'no' }, name);
}

function sideCell(name) {
  return name === noSide ? t('daily.not_attributed') : name;
}

function countTable(caption, head, rows) {
  return h('table', { class: 'daily-table' }, h('caption', null, caption),
    h('thead', null, h('tr', null, ...head.map((x, i) => h('th', { class: i ? 'n' : null, scope: 'col' }, x)))),
    h('tbody', null, ...rows.map((r) => h('tr', { dataset: { key: r.key || r.name } }, ...r.cells.map((c, i) => (i ? h('td', { class: 'n' }, c) : h('th', { scope: 'row' }, c)))))));
}

function render(d) {
  const body = clear(el('daily-body'));
  let since;
  if (!d.totals_since) since = t('daily.since_first');
  else if (d.recommitment) since = tx('daily.since_note', { Date: fmtDay(d.totals_since), Note: h('span', { translate: 'no' }, d.recommitment) });
  else since = t('daily.since', { Date: fmtDay(d.totals_since) });
  body.append(h('p', null, tx('daily.intro', { Day: fmtDay(d.day), Previous: fmtDay(d.previous_day), Since: since })));
  body.append(countTable(t('daily.figures'), ['', fmtDay(d.day), fmtDay(d.previous_day), t('daily.total')],
    d.figures.map((c) => ({ key: c.key, cells: [figLabel(c), num(c.day), num(c.previous), num(c.total)] }))));
  for (const [title, groups, cell] of [[t('daily.by_area'), d.areas, areaCell], [t('daily.by_side'), d.sides, sideCell]]) {
    if (!groups.length) continue;
    const head = [''].concat(groups[0].figures.map(figLabel));
    body.append(countTable(t('daily.group_caption', { Title: title }), head,
      groups.map((g) => ({ name: g.name, cells: [cell(g.name)].concat(g.figures.map((c) => `${num(c.day)} (${num(c.previous)}) ${num(c.total)}`)) }))));
  }
  el('daily').dataset.state = 'ready';
}

async function show() {
  const day = el('daily-day').value;
  if (!day) return;
  for (const f of ['html', 'pdf', 'json']) el('daily-' + f).href = `/api/v1/daily?date=${day}&format=${f}`;
  el('daily').dataset.state = 'loading';
  el('daily-message').textContent = t('loading');
  const d = await api(`/api/v1/daily?date=${day}`);
  el('daily-message').textContent = '';
  render(d);
}

function fail(e) {
  el('daily').dataset.state = 'error';
  clear(el('daily-message')).append(errorNotice(t('daily.load_failed', { Error: e.message })));
}

async function init() {
  const ag = await agreement();
  if (!ag) {
    el('daily').hidden = true;
    return;
  }
  const r = agreementRange(ag);
  el('daily-day').value = dayParam || (r ? r[1] : new Date().toISOString().slice(0, 10));
  el('daily-form').addEventListener('submit', (e) => {
    e.preventDefault();
    show().catch(fail);
  });
  await show();
}

init().catch(fail);
