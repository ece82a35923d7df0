// The agreement page: phases on a timeline with their start rules and
// readings, each party's positions and conditions over time, commitments,
// and obligations with their status (all from GET /api/v1/agreement); the
// timeline per reading when the server has one (timeline.js).
import { h, s, clear, agreement, fmtTime, partyName, errorNotice, dayNumber, dayFromNumber, dayOf } from './common.js';
import { drawTimeline } from './timeline.js';

const el = (x) => document.getElementById(x);
const root = el('agreement');
let tz = 'UTC';

const stanceNames = {
  proposed: 'Proposed', accepted: 'Accepted', accepted_in_principle: 'Accepted in principle', conditional: 'Conditional',
  rejected: 'Rejected', withdrawn: 'Withdrawn',
};
const startRules = { fixed: 'starts on a fixed date', all_accept: 'starts when every listed party has accepted', after_held: 'starts a number of days after another phase has held' };

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function shortDay(d) {
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
  if (lo === null) return h('p', { class: 'muted' }, 'No dates to show.');
  lo -= 3;
  hi += 10;
  const left = 290;
  const width = 900;
  const rowH = 26;
  const top = 30;
  const x = (n) => left + ((n - lo) / (hi - lo)) * (width - left - 10);
  const height = top + rows.length * rowH + 20 + ag.phases.length * 4;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'tl-title tl-desc', width: String(width) });
  svg.append(s('title', { id: 'tl-title' }, 'Timeline of the phases under each reading'));
  const desc = rows.map(({ ph, w }) => `${ph.name}, ${w.parties.join(' and ')}: ${w.in_force ? `in force from ${day(w.start)}${w.end ? ' to ' + day(Date.parse(w.end) - 1) : ''}` : 'not in force'}`).join('; ');
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
    svg.append(s('text', { x: 4, y: y + 17 }, `${ph.name.length > 30 ? ph.name.slice(0, 29) + '…' : ph.name} · ${w.parties.join(', ')}`));
    if (w.in_force) {
      const a = dayNumber(dayOf(w.start));
      const b = w.end ? dayNumber(dayOf(Date.parse(w.end) - 1)) + 1 : hi;
      const cls = 'bar-window' + (w.parties.length === 1 ? ' ' + w.parties[0].toLowerCase() : '');
      svg.append(s('rect', { class: cls, x: x(a), y: y + 5, width: Math.max(2, x(b) - x(a)), height: rowH - 10 },
        s('title', null, `${ph.name} for ${w.parties.join(', ')}: ${w.why}`)));
    } else {
      svg.append(s('rect', { class: 'bar-notinforce', x: x(lo + 1), y: y + 5, width: x(hi) - x(lo + 1), height: rowH - 10 },
        s('title', null, `${ph.name} for ${w.parties.join(', ')}: not in force: ${w.why}`)));
      svg.append(s('text', { x: x(hi) - 6, y: y + 17, 'text-anchor': 'end' }, 'not in force'));
    }
    for (const p of ag.positions.filter((q) => q.phase === ph.id && w.parties.includes(q.party))) {
      const n = dayNumber(dayOf(p.date));
      svg.append(s('circle', { class: `position-dot stance-${p.stance}`, cx: x(n), cy: y + rowH / 2, r: 5 },
        s('title', null, `${p.party} ${stanceNames[p.stance] || p.stance} on ${day(p.date)}`)));
    }
    y += rowH;
  }
  return svg;
}

function phaseSection(ag, ph) {
  const sec = h('section', { class: 'card phase', dataset: { phase: ph.id } },
    h('h3', null, ph.name, ' ', h('span', { class: 'muted' }, `(${ph.id})`)));
  if (ph.description) sec.append(h('p', null, ph.description));
  sec.append(h('p', null, h('strong', null, 'Start rule: '), `${ph.start_rule} — ${startRules[ph.start_rule] || ''}`));
  sec.append(h('h4', null, 'Readings'), h('ul', null, ph.windows.map((w) => h('li', null,
    h('strong', null, w.parties.map((p) => partyName(ag, p)).join(', ')), ': ',
    w.in_force ? `in force from ${fmtTime(w.start, tz)}${w.end ? ' until ' + fmtTime(w.end, tz) : ''}` : 'not in force',
    ` — ${w.why}`, w.note ? ` ${w.note}` : '', w.source ? h('span', { class: 'muted' }, ` [${w.source}]`) : null))));
  if (ph.commitments.length) {
    sec.append(h('h4', null, 'Commitments'), h('ul', null, ph.commitments.map((c) => h('li', null,
      h('strong', null, c.id), ': ', c.description, h('div', { class: 'small muted' },
        `bound: ${c.bound.join(', ')}; prohibits: ${c.prohibits.join(', ')}; targets: ${c.targets.join(', ')}; zones: ${c.zones.join(', ')}`)))));
  }
  const pos = ag.positions.filter((p) => p.phase === ph.id).sort((a, b) => a.date.localeCompare(b.date));
  if (pos.length) {
    sec.append(h('h4', null, 'Positions of the parties over time'), h('ol', { class: 'positions' }, pos.map((p) => h('li', { dataset: { party: p.party, stance: p.stance } },
      h('strong', null, day(p.date)), ' — ', partyName(ag, p.party), ': ', h('span', { class: 'badge status' }, stanceNames[p.stance] || p.stance),
      p.source ? h('span', { class: 'muted' }, ` [${p.source}]`) : null,
      p.note ? h('div', null, p.note) : null,
      p.conditions && p.conditions.length ? h('div', null, 'Conditions:', h('ul', null, p.conditions.map((c) => h('li', null, c)))) : null))));
  }
  return sec;
}

function obligations(ag) {
  if (!ag.obligations.length) return h('p', { class: 'muted' }, 'No obligations.');
  return h('div', null, ag.obligations.map((o) => h('div', { class: 'finding', dataset: { obligation: o.id, status: o.status } },
    h('p', null, h('strong', null, o.id), ' ', h('span', { class: 'badge status' }, o.status), ` due ${day(o.due)}`),
    h('p', null, o.description),
    h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, ['Party', 'What', 'Due', 'Delivered'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, o.items.map((it) => h('tr', null, h('td', null, partyName(ag, it.party)), h('td', null, it.what),
        h('td', { class: 'num' }, String(it.count)), h('td', { class: 'num' }, String(it.delivered))))))),
    o.source ? h('p', { class: 'small muted' }, 'Source: ', o.source) : null)));
}

async function init() {
  const ag = await agreement();
  if (!ag) {
    el('ag-message').replaceWith(h('p', { class: 'notice' }, 'No agreement has been uploaded yet.'));
    root.dataset.state = 'empty';
    return;
  }
  tz = ag.timezone || 'UTC';
  el('ag-title').textContent = ag.title;
  clear(el('ag-facts')).append(
    h('dt', null, 'Identifier'), h('dd', null, ag.id),
    h('dt', null, 'Text version'), h('dd', null, ag.text_version || '—'),
    h('dt', null, 'Stored version'), h('dd', null, `${ag.version} (stored ${fmtTime(ag.created_at, tz)}, log record ${ag.log_index})`),
    h('dt', null, 'Bundle SHA-256'), h('dd', { class: 'hash' }, ag.sha256),
    h('dt', null, 'Time zone'), h('dd', null, ag.timezone),
    h('dt', null, 'Parties'), h('dd', null, ag.parties.map((p) => `${p.name} (${p.id})${p.mediator ? ', mediator' : ''}`).join('; ')),
    h('dt', null, 'Zones'), h('dd', null, ag.zones.map((z) => z.name).join('; ')));
  clear(el('timeline')).append(timeline(ag),
    h('ul', { class: 'chart-legend' },
      h('li', null, 'Bars: in force · dashed: not in force · dots: statements (green accepted, blue proposed, olive accepted in principle, orange conditional, red rejected or withdrawn)')));
  clear(el('phases')).append(...ag.phases.map((ph) => phaseSection(ag, ph)));
  clear(el('obligations')).append(obligations(ag));
  el('ag-message').hidden = true;
  el('ag-body').hidden = false;
  root.dataset.state = 'ready';
  await drawTimeline(ag, tz);
}

init().catch((e) => {
  root.dataset.state = 'error';
  el('ag-message').replaceWith(errorNotice('The agreement could not be loaded: ' + e.message));
});
