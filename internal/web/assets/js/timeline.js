// The timeline per reading on the agreement page (GET /api/v1/timeline):
// for each reading, its dated events (obligations beginning, breaches, a
// party released, what followed) as dots on a shared day axis and as a
// list of sentences. The answer is read defensively: a list of readings
// (or an object holding one under readings), each with events carrying a
// date or time and a text or sentence; anything else is left out. The
// section stays hidden when the server has no timeline (404).
import {
  h, s, clear, api, fmtTime, dayNumber, dayFromNumber, dayOf, partyName, errorNotice, t, tn, lang, fmtDay,
} from './common.js';

const str = (v) => (v === null || v === undefined ? '' : String(v));
const arr = (v) => (Array.isArray(v) ? v : []);
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function readingsOf(tl) {
  let list = Array.isArray(tl) ? tl : null;
  if (!list && tl && typeof tl === 'object') {
    for (const k of ['readings', 'timeline', 'items']) {
      if (Array.isArray(tl[k])) {
        list = tl[k];
        break;
      }
    }
    // An object keyed by reading: {"RU": {events: […]}} or {"RU": […]}.
    if (!list) list = Object.entries(tl).filter(([, v]) => v && typeof v === 'object').map(([k, v]) => (Array.isArray(v) ? { name: k, events: v } : { name: k, ...v }));
  }
  return arr(list).filter((r) => r && typeof r === 'object').map((r, i) => ({
    name: str(r.name || r.reading || r.id || arr(r.parties).join(', ') || `Reading ${i + 1}`),
    parties: arr(r.parties).map(str),
    note: str(r.note || r.summary || r.description),
    events: arr(r.events || r.items || r.timeline).filter((e) => e && typeof e === 'object').map((e) => ({
      when: str(e.date || e.time || e.at || e.day || e.when),
      text: str(e.text || e.sentence || e.description || e.summary || e.what),
      kind: str(e.kind || e.type),
      party: str(e.party || e.by),
      source: str(e.source),
    })).filter((e) => e.when || e.text),
  })).filter((r) => r.events.length);
}

// when is how an event's date or time is shown: a date as it is, an
// instant in the agreement's time zone.
function when(v, tz) {
  if (!v) return 'undated';
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const t = Date.parse(v);
  return Number.isNaN(t) ? v : fmtTime(v, tz);
}

function dayNum(v, tz) {
  if (!v) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return dayNumber(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return dayNumber(fmtTime(v, tz, false) || dayOf(t));
}

function chart(readings, ag, tz) {
  let lo = null;
  let hi = null;
  for (const r of readings) {
    for (const e of r.events) {
      const n = dayNum(e.when, tz);
      if (n === null) continue;
      if (lo === null || n < lo) lo = n;
      if (hi === null || n > hi) hi = n;
    }
  }
  if (lo === null) return null;
  lo -= 2;
  hi += 2;
  const left = 200;
  const width = 900;
  const rowH = 34;
  const top = 30;
  const height = top + readings.length * rowH + 12;
  const x = (n) => left + ((n - lo) / Math.max(1, hi - lo)) * (width - left - 12);
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'rtl-title rtl-desc', width: String(width) },
    s('title', { id: 'rtl-title' }, t('ag.rtl_title')),
    s('desc', { id: 'rtl-desc' }, readings.map((r) => `${r.name}: ${tn('ag.n_events', r.events.length)}`).join('; ') + t('ag.rtl_desc_end')));
  const axis = s('g', { class: 'axis' });
  const every = Math.max(1, Math.ceil((hi - lo) / 10));
  for (let n = lo; n <= hi; n += every) {
    const d = dayFromNumber(n);
    axis.append(s('line', { class: 'grid', x1: x(n), x2: x(n), y1: top - 8, y2: height - 6 }),
      s('text', { x: x(n) + 2, y: top - 12 }, lang === 'en' ? `${Number(d.slice(8))} ${months[Number(d.slice(5, 7)) - 1]}` : fmtDay(d, true)));
  }
  svg.append(axis);
  readings.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    svg.append(s('text', { x: 4, y: y + 4 }, r.name.length > 28 ? r.name.slice(0, 27) + '…' : r.name),
      s('line', { class: 'rtl-track', x1: left, x2: width - 12, y1: y, y2: y }));
    for (const e of r.events) {
      const n = dayNum(e.when, tz);
      if (n === null) continue;
      svg.append(s('circle', { class: 'rtl-dot' + (e.kind ? ' kind-' + e.kind.replace(/[^a-z0-9_-]/gi, '') : ''), cx: x(n), cy: y, r: 6 },
        s('title', null, `${when(e.when, tz)}: ${e.text}`)));
    }
  });
  return svg;
}

function render(box, readings, ag, tz) {
  const c = chart(readings, ag, tz);
  if (c) box.append(c);
  box.append(...readings.map((r) => h('section', { class: 'rtl-reading', dataset: { reading: r.name } },
    h('h3', null, r.parties.length ? `${r.name} — ${r.parties.map((p) => partyName(ag, p)).join(', ')}` : r.name),
    r.note ? h('p', null, r.note) : null,
    h('ol', { class: 'positions' }, r.events.map((e) => h('li', { dataset: { kind: e.kind } },
      h('strong', null, when(e.when, tz)), e.party ? ` — ${partyName(ag, e.party)}` : '', ': ', e.text || e.kind,
      e.source ? h('span', { class: 'muted' }, ` [${e.source}]`) : null))))));
}

// drawTimeline fills the section with the timeline per reading, or keeps
// it hidden when the server has none.
export async function drawTimeline(ag, tz) {
  const sec = document.getElementById('reading-timeline');
  const box = clear(document.getElementById('rtl'));
  let tl;
  try {
    tl = await api('/api/v1/timeline');
  } catch (e) {
    if (e.status === 404) {
      sec.hidden = true;
      sec.dataset.state = 'absent';
      return;
    }
    box.append(errorNotice(t('ag.rtl_failed', { Error: e.message })));
    sec.hidden = false;
    sec.dataset.state = 'error';
    return;
  }
  const readings = readingsOf(tl);
  if (!readings.length) box.append(h('p', { class: 'muted' }, t('ag.rtl_none')));
  else render(box, readings, ag, tz);
  sec.hidden = false;
  sec.dataset.state = 'ready';
  sec.dataset.readings = String(readings.length);
}
