// The agreement page: phases on a timeline with their start rules and
// readings, each party's positions and conditions over time, commitments,
// and obligations with their status (all from GET /api/v1/agreement); the
// timeline per reading when the server has one (timeline.js).
import {
  h, s, clear, agreement, fmtTime, partyName, errorNotice, dayNumber, dayFromNumber, dayOf, t, lang, label, nameOf, whyOf, fmtDay,
} from './common.js';
import { drawTimeline } from './timeline.js';

const el = (x) => document.getElementById(x);
const root = el('agreement');
let tz = 'UTC';

const stanceName = (st) => label('ag.stance', st);
const startRule = (r) => label('ag.start', r);

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function shortDay(d) {
  if (lang !== 'en') return fmtDay(d, true);
  const [y, m, dd] = d.split('-');
  return `${Number(dd)} ${months[Number(m) - 1]}${dd === '01' && m === '01' ? ' ' + y : ''}`;
}

function day(iso) {
  return fmtTime(iso, tz, false);
}

// timeline draws one row per phase reading: a bar while in force, a
// dashed empty bar with the reason while not; position statements are dots.
function timeline(ag) {
  const rows = [];
  let lo = null;
  let hi = null;
  const see = (d) => {
    if (!d) return;
    const n = dayNumber(dayOf(d));
    if (lo === null || n < lo) lo = n;
    if (hi === null || n > hi) hi = n;
  };
  for (const ph of ag.phases) {
    for (const w of ph.windows) {
      see(w.start);
      see(w.end);
      rows.push({ ph, w });
    }
  }
  for (const p of ag.positions) see(p.date);
  if (lo === null) return h('p', { class: 'muted' }, t('ag.no_dates'));
  lo -= 3;
  hi += 10;
  const left = 290;
  const width = 900;
  const rowH = 26;
  const top = 30;
  const x = (n) => left + ((n - lo) / (hi - lo)) * (width - left - 10);
  const height = top + rows.length * rowH + 20 + ag.phases.length * 4;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'tl-title tl-desc', width: String(width) });
  svg.append(s('title', { id: 'tl-title' }, t('ag.tl_title')));
  const desc = rows.map(({ ph, w }) => t('ag.desc_row', {
    Phase: nameOf(ph), Parties: w.parties.join(t('ag.and')),
    State: w.in_force ? t(w.end ? 'ag.from_to' : 'ag.from', { From: day(w.start), To: w.end ? day(Date.parse(w.end) - 1) : '' }) : t('ag.not_in_force'),
  })).join('; ');
  svg.append(s('desc', { id: 'tl-desc' }, desc));
  // Month ticks.
  const axis = s('g', { class: 'axis' });
  for (let n = lo; n <= hi; n++) {
    const d = dayFromNumber(n);
    if (d.endsWith('-01') || d.endsWith('-15')) {
      axis.append(s('line', { class: 'grid', x1: x(n), x2: x(n), y1: top - 8, y2: height - 10 }));
      axis.append(s('text', { x: x(n) + 2, y: top - 12 }, shortDay(d)));
    }
  }
  svg.append(axis);
  const today = dayNumber(new Date().toISOString().slice(0, 10));
  if (today >= lo && today <= hi) svg.append(s('line', { class: 'today-line', x1: x(today), x2: x(today), y1: top - 8, y2: height - 10 }));
  let y = top;
  let prev = null;
  for (const { ph, w } of rows) {
    if (prev && prev !== ph) y += 4;
    prev = ph;
    const name = nameOf(ph);
    svg.append(s('text', { x: 4, y: y + 17 }, `${name.length > 30 ? name.slice(0, 29) + '…' : name} · ${w.parties.join(', ')}`));
    if (w.in_force) {
      const a = dayNumber(dayOf(w.start));
      const b = w.end ? dayNumber(dayOf(Date.parse(w.end) - 1)) + 1 : hi;
      const cls = 'bar-window' + (w.parties.length === 1 ? ' ' + w.parties[0].toLowerCase() : '');
      svg.append(s('rect', { class: cls, x: x(a), y: y + 5, width: Math.max(2, x(b) - x(a)), height: rowH - 10 },
        s('title', null, t('ag.bar', { Phase: name, Parties: w.parties.join(', '), Why: whyOf(w) }))));
    } else {
      svg.append(s('rect', { class: 'bar-notinforce', x: x(lo + 1), y: y + 5, width: x(hi) - x(lo + 1), height: rowH - 10 },
        s('title', null, t('ag.bar_not', { Phase: name, Parties: w.parties.join(', '), Why: whyOf(w) }))));
      svg.append(s('text', { x: x(hi) - 6, y: y + 17, 'text-anchor': 'end' }, t('ag.not_in_force')));
    }
    for (const p of ag.positions.filter((q) => q.phase === ph.id && w.parties.includes(q.party))) {
      const n = dayNumber(dayOf(p.date));
      svg.append(s('circle', { class: `position-dot stance-${p.stance}`, cx: x(n), cy: y + rowH / 2, r: 5 },
        s('title', null, t('ag.dot', { Party: p.party, Stance: stanceName(p.stance), Day: day(p.date) }))));
    }
    y += rowH;
  }
  return svg;
}

function phaseSection(ag, ph) {
  const sec = h('section', { class: 'card phase', dataset: { phase: ph.id } },
    h('h3', null, nameOf(ph), ' ', h('span', { class: 'muted' }, `(${ph.id})`)));
  const desc = (ph.descriptions && ph.descriptions[lang]) || ph.description;
  if (desc) sec.append(h('p', { lang: desc === ph.description && lang !== 'en' ? 'en' : null }, desc));
  sec.append(h('p', null, h('strong', null, t('ag.start_rule')), ' ', `${ph.start_rule} — ${startRule(ph.start_rule)}`));
  sec.append(h('h4', null, t('ag.readings')), h('ul', null, ph.windows.map((w) => h('li', null,
    h('strong', null, w.parties.map((p) => partyName(ag, p)).join(', ')), ': ',
    w.in_force ? t(w.end ? 'ag.from_until' : 'ag.from', { From: fmtTime(w.start, tz), To: w.end ? fmtTime(w.end, tz) : '' }) : t('ag.not_in_force'),
    ` — ${whyOf(w)}`, w.note ? ` ${w.note}` : '', w.source ? h('span', { class: 'muted' }, ` [${w.source}]`) : null))));
  if (ph.commitments.length) {
    sec.append(h('h4', null, t('ag.commitments')), h('ul', null, ph.commitments.map((c) => h('li', null,
      h('strong', null, c.id), ': ', h('span', { lang: lang !== 'en' ? 'en' : null }, c.description), h('div', { class: 'small muted' },
        t('ag.commitment_terms', { Bound: c.bound.join(', '), Prohibits: c.prohibits.map((a) => (lang === 'en' ? a : label('action', a))).join(', '), Targets: c.targets.join(', '), Zones: c.zones.join(', ') }))))));
  }
  const pos = ag.positions.filter((p) => p.phase === ph.id).sort((a, b) => a.date.localeCompare(b.date));
  if (pos.length) {
    sec.append(h('h4', null, t('ag.positions')), h('ol', { class: 'positions' }, pos.map((p) => h('li', { dataset: { party: p.party, stance: p.stance } },
      h('strong', null, day(p.date)), ' — ', partyName(ag, p.party), ': ', h('span', { class: 'badge status' }, stanceName(p.stance)),
      p.source ? h('span', { class: 'muted' }, ` [${p.source}]`) : null,
      p.note ? h('div', null, p.note) : null,
      p.conditions && p.conditions.length ? h('div', null, t('ag.conditions'), h('ul', null, p.conditions.map((c) => h('li', null, c)))) : null))));
  }
  return sec;
}

function obligations(ag) {
  if (!ag.obligations.length) return h('p', { class: 'muted' }, t('ag.no_obligations'));
  return h('div', null, ag.obligations.map((o) => h('div', { class: 'finding', dataset: { obligation: o.id, status: o.status } },
    h('p', null, h('strong', null, o.id), ' ', h('span', { class: 'badge status' }, label('ag.ob_status', o.status)), ' ', t('ag.due', { Day: day(o.due) })),
    h('p', null, o.description),
    h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, [t('ag.col.party'), t('ag.col.what'), t('ag.col.due'), t('ag.col.delivered')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, o.items.map((it) => h('tr', null, h('td', null, partyName(ag, it.party)), h('td', null, it.what),
        h('td', { class: 'num' }, String(it.count)), h('td', { class: 'num' }, String(it.delivered))))))),
    o.source ? h('p', { class: 'small muted' }, t('ag.source'), ' ', o.source) : null)));
}

async function init() {
  const ag = await agreement();
  if (!ag) {
    el('ag-message').replaceWith(h('p', { class: 'notice' }, t('fig.no_agreement')));
    root.dataset.state = 'empty';
    return;
  }
  tz = ag.timezone || 'UTC';
  el('ag-title').textContent = (ag.titles && ag.titles[lang]) || ag.title;
  clear(el('ag-facts')).append(
    h('dt', null, t('ag.ident')), h('dd', null, ag.id),
    h('dt', null, t('ag.text_version')), h('dd', null, ag.text_version || '—'),
    h('dt', null, t('ag.stored_version')), h('dd', null, t('ag.stored', { Version: ag.version, At: fmtTime(ag.created_at, tz), Index: ag.log_index })),
    h('dt', null, t('ag.sha')), h('dd', { class: 'hash' }, ag.sha256),
    h('dt', null, t('ag.timezone')), h('dd', null, ag.timezone),
    h('dt', null, t('ag.parties')), h('dd', null, ag.parties.map((p) => `${nameOf(p)} (${p.id})${p.mediator ? t('ag.mediator') : ''}`).join('; ')),
    h('dt', null, t('ag.zones')), h('dd', null, ag.zones.map((z) => nameOf(z)).join('; ')));
  clear(el('timeline')).append(timeline(ag),
    h('ul', { class: 'chart-legend' },
      h('li', null, t('ag.legend'))));
  clear(el('phases')).append(...ag.phases.map((ph) => phaseSection(ag, ph)));
  clear(el('obligations')).append(obligations(ag));
  el('ag-message').hidden = true;
  el('ag-body').hidden = false;
  root.dataset.state = 'ready';
  await drawTimeline(ag, tz);
}

init().catch((e) => {
  root.dataset.state = 'error';
  el('ag-message').replaceWith(errorNotice(t('ag.load_failed', { Error: e.message })));
});
