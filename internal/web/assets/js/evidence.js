// Evidence spans: the words of a report's text that established each fact
// of its judgement (facts.evidence), drawn as <mark> elements over the
// text. Report text is hostile input: it only ever becomes text nodes.
import { h, t, lang, label } from './common.js';

// The facts the legend names, in its order.
export const evidenceFacts = ['attack', 'perpetrator', 'target', 'modality', 'place', 'outage'];

// factClass is the fact as a class name: letters, digits, _ and - only.
const factClass = (fact) => 'ev-' + (String(fact || '').replace(/[^A-Za-z0-9_-]/g, '') || 'other');

function title(ev) {
  return `${factLabel(ev.fact)}${ev.note && lang === 'en' ? ': ' + ev.note : ''} (${basisLabel(ev.basis)})`;
}

// layout splits a judgement's evidence into the spans drawn over the text
// and the rest. Offsets are in Unicode code points (end exclusive), so the
// text is indexed as Array.from(text), never by UTF-16 units. A span
// drawn is inside the text and its words are the text's; the spans are
// taken earliest start first (the longer first at the same start), and a
// span that overlaps one already drawn is left out of the text and kept
// with the rest (inside: true). The rest keeps the evidence's order.
export function layout(text, evidence) {
  const cps = Array.from(text || '');
  const spans = [];
  const rest = [];
  (evidence || []).forEach((ev, i) => {
    const { start, end } = ev;
    const inText = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= cps.length;
    if (inText && (!ev.words || cps.slice(start, end).join('') === ev.words)) spans.push({ ev, i });
    else rest.push({ ev, i, inside: false });
  });
  spans.sort((a, b) => a.ev.start - b.ev.start || b.ev.end - a.ev.end || a.i - b.i);
  const drawn = [];
  let edge = 0;
  for (const sp of spans) {
    if (sp.ev.start < edge) {
      rest.push({ ev: sp.ev, i: sp.i, inside: true });
      continue;
    }
    drawn.push(sp.ev);
    edge = sp.ev.end;
  }
  rest.sort((a, b) => a.i - b.i);
  return { cps, drawn, rest };
}

// markedText returns the text as nodes: plain text, and a
// <mark class="ev ev-FACT" title="FACT: note (basis)"> per span drawn.
export function markedText(cps, drawn) {
  const out = [];
  let at = 0;
  for (const ev of drawn) {
    if (ev.start > at) out.push(document.createTextNode(cps.slice(at, ev.start).join('')));
    const m = document.createElement('mark');
    m.className = 'ev ' + factClass(ev.fact);
    m.title = title(ev);
    m.dataset.fact = String(ev.fact || '');
    m.textContent = cps.slice(ev.start, ev.end).join('');
    out.push(m);
    at = ev.end;
  }
  if (at < cps.length) out.push(document.createTextNode(cps.slice(at).join('')));
  return out;
}

// factLabel and basisLabel name a fact and how it was established in the
// page's language; a value the catalogue does not know shows as it is.
export const factLabel = (f) => label('fact', f);
export const basisLabel = (b) => label('basis', b);

// evidenceLine describes, as plain text, evidence that is not drawn over
// the text: a tag, site, field or sensor, or words inside a drawn span.
export function evidenceLine(item) {
  const { ev, inside } = item;
  const words = ev.words ? (ev.basis === 'text' || ev.basis === 'place' ? ` “${ev.words}”` : ` ${ev.words}`) : '';
  return h('li', { class: 'ev-line', dataset: { fact: String(ev.fact || ''), basis: String(ev.basis || '') } },
    h('span', { class: 'ev-key ' + factClass(ev.fact) }, factLabel(ev.fact)),
    ` — ${basisLabel(ev.basis)}${words ? ':' : ''}`, words ? h('span', { translate: 'no' }, words) : '',
    ev.note && lang === 'en' ? ` (${ev.note})` : '',
    inside ? t('ev.inside') : '');
}

// legend names the colours of the facts.
export function legend() {
  return h('p', { class: 'ev-legend small', id: 'ev-legend' }, t('ev.legend'), ' ',
    evidenceFacts.map((f) => [h('mark', { class: 'ev ' + factClass(f) }, factLabel(f)), ' ']));
}
