// The daily report on the Figures page (GET /api/v1/daily?date=): the
// mission-wide figures, then per area and per side, each beside the
// previous day and with the running totals; links to the same report as
// HTML, PDF and JSON.
import { h, clear, api, agreement, agreementRange, errorNotice } from './common.js';

const el = (x) => document.getElementById(x);
// Read before figures.js rewrites the address to its own period.
const dayParam = new URLSearchParams(location.search).get('day');

function countTable(caption, head, rows) {
  return h('table', { class: 'daily-table' }, h('caption', null, caption),
    h('thead', null, h('tr', null, ...head.map((x, i) => h('th', { class: i ? 'n' : null, scope: 'col' }, x)))),
    h('tbody', null, ...rows.map((r) => h('tr', { dataset: { key: r.key || r.name } }, ...r.cells.map((c, i) => (i ? h('td', { class: 'n' }, c) : h('th', { scope: 'row' }, c)))))));
}

function render(d) {
  const body = clear(el('daily-body'));
  const since = d.totals_since ? `since the recommitment of ${d.totals_since}${d.recommitment ? ' (' + d.recommitment + ')' : ''}` : 'since the first record';
  body.append(h('p', null, `${d.day}, beside ${d.previous_day}; totals ${since}.`));
  body.append(countTable('Figures', ['', d.day, d.previous_day, 'Total'],
    d.figures.map((c) => ({ key: c.key, cells: [c.label, String(c.day), String(c.previous), String(c.total)] }))));
  for (const [title, groups] of [['By area', d.areas], ['By side', d.sides]]) {
    if (!groups.length) continue;
    const head = [''].concat(groups[0].figures.map((c) => c.label));
    body.append(countTable(`${title}: the day (the previous day) and the total`, head,
      groups.map((g) => ({ name: g.name, cells: [g.name].concat(g.figures.map((c) => `${c.day} (${c.previous}) ${c.total}`)) }))));
  }
  el('daily').dataset.state = 'ready';
}

async function show() {
  const day = el('daily-day').value;
  if (!day) return;
  for (const f of ['html', 'pdf', 'json']) el('daily-' + f).href = `/api/v1/daily?date=${day}&format=${f}`;
  el('daily').dataset.state = 'loading';
  el('daily-message').textContent = 'Loading…';
  const d = await api(`/api/v1/daily?date=${day}`);
  el('daily-message').textContent = '';
  render(d);
}

function fail(e) {
  el('daily').dataset.state = 'error';
  clear(el('daily-message')).append(errorNotice('The daily report could not be loaded: ' + e.message));
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
