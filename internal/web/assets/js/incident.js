// The incident page: reports and their sources, evidence, the verdict and
// its explanation under each reading, the review history, the parties'
// responses, the review actions for the signed-in user, and the in-browser
// verification of the incident's log records.
import {
  h, clear, api, announce, agreement, viewer, isMonitor, outcomeLabel, outcomeBadge, statusBadge, statusLabel,
  fmtTime, fmtNum, partyName, errorNotice, t, tn, lang, langQuery, label,
} from './common.js';
import { addBasemap } from './basemap.js';
import { verifyRecords } from './verify.js';
import { layout, markedText, evidenceLine, legend, basisLabel } from './evidence.js';

const root = document.getElementById('incident');
const id = root.dataset.id;
const el = (x) => document.getElementById(x);
let tz = 'UTC';
let ag = null;
let inc = null;

const nextStatuses = {
  reported: ['under_review', 'dismissed'],
  under_review: ['verified', 'unverifiable', 'dismissed'],
  verified: ['under_review'],
  unverifiable: ['under_review'],
  dismissed: ['under_review'],
};

function dl(target, pairs) {
  clear(target);
  for (const [k, v] of pairs) {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    target.append(h('dt', null, k), h('dd', null, v));
  }
  return target;
}

function list(xs) {
  return (xs || []).join(', ');
}

function parties(xs) {
  return (xs || []).map((p) => partyName(ag, p)).join(', ');
}

// coords shows a latitude and longitude with the language's decimal sign.
const coords = (lat, lon) => [lat, lon].map((v) => v.toLocaleString(lang === 'en' ? 'en-GB' : lang, { minimumFractionDigits: 4, maximumFractionDigits: 4, useGrouping: false })).join(lang === 'en' ? ', ' : '; ');

function renderFacts() {
  dl(el('inc-facts'), [
    [t('common.outcome'), outcomeBadge(inc.outcome)],
    [t('inc.review_status'), statusBadge(inc.status)],
    [t('inc.published'), inc.published ? t('inc.published_yes') : h('span', null, h('span', { class: 'badge unpublished', id: 'unpublished' }, t('unpublished')), ' ', t('inc.published_no'))],
    [t('inc.time'), fmtTime(inc.start, tz) + (tz !== 'UTC' ? ` (${tz})` : '')],
    [t('inc.location'), t('inc.lat_lon', { Coords: coords(inc.lat, inc.lon) })],
    [t('inc.accused'), parties(inc.parties) || t('inc.no_party')],
    [t('inc.phases'), list(inc.phases)],
    [t('inc.contested_by'), parties(inc.contested_by)],
    [t('inc.submitted_by'), inc.submitted_by ? partyName(ag, inc.submitted_by) : ''],
    [t('inc.reports'), inc.merged_into
      ? h('span', null, t('inc.merged_reports'), ' ', h('a', { href: '/incidents/' + encodeURIComponent(inc.merged_into), translate: 'no' }, inc.merged_into))
      : tn('inc.report_count', inc.report_list.length)],
    [t('inc.last_change'), fmtTime(inc.updated_at, tz)],
  ]);
}

function renderVerdict() {
  const box = clear(el('verdict'));
  box.append(h('p', null, outcomeBadge(inc.outcome), ' ', inc.explanation || t('inc.not_judged')));
  for (const r of inc.report_list) {
    const j = r.judgement;
    if (!j) continue;
    const sec = h('div', { class: 'judgement', dataset: { report: r.id } });
    sec.append(h('h3', null, t('inc.judgement_of'), ' ', h('span', { translate: 'no' }, r.id)));
    const f = j.facts || {};
    const facts = h('dl', { class: 'facts' });
    const from = (basis, note) => t('inc.from_basis', { Basis: basisLabel(basis) }) + (note && lang === 'en' ? ': ' + note : '');
    dl(facts, [
      [t('inc.perpetrator'), f.perpetrator ? `${partyName(ag, f.perpetrator)} — ${from(f.perpetrator_basis, f.perpetrator_note)}` : t('inc.not_established')],
      [t('inc.actions'), f.actions ? `${(f.actions || []).map(actionLabel).join(', ')} — ${from(f.action_basis)}` : t('inc.not_established')],
      [t('inc.category'), f.category ? `${f.category} — ${from(f.category_basis, f.category_note)}` : t('inc.not_established')],
      [t('inc.site'), f.site ? h('span', null, h('span', { translate: 'no' }, f.site.name), ' ', t('inc.site_away', { Category: f.site.category || t('inc.no_category'), Distance: fmtNum(Math.round(f.site.distance_m)) })) : ''],
      [t('inc.zones'), list(f.zones)],
      [t('inc.place'), f.place ? h('span', { translate: 'no' }, f.place) : ''],
      [t('inc.modality'), f.modality ? t('inc.modality_value', { Modality: label('modality', f.modality) }) : ''],
      [t('inc.attempted'), f.attempted ? t('inc.attempted_yes') : ''],
    ]);
    sec.append(facts);
    const quiet = h('details', null);
    for (const fd of j.findings || []) {
      const fi = h('div', { class: 'finding', dataset: { commitment: fd.commitment, outcome: fd.outcome } },
        h('p', null, outcomeBadge(fd.outcome), ' ', h('strong', null, fd.commitment), ' ', t('inc.finding_of', {
          Phase: fd.phase, Bound: fd.party ? t('inc.finding_bound', { Party: fd.party }) : '', Zone: fd.zone ? t('inc.finding_zone', { Zone: fd.zone }) : '',
        })),
        h('p', null, fd.explanation));
      if (fd.readings && fd.readings.length) {
        fi.append(h('p', { class: 'small' }, t('inc.readings')),
          h('ul', { class: 'readings' }, fd.readings.map((rd) => h('li', null,
            h('strong', null, list(rd.parties)), ': ', outcomeLabel(rd.outcome),
            rd.day ? ' — ' + t(rd.days ? 'inc.day_of' : 'inc.day', { Day: fmtNum(rd.day), Days: fmtNum(rd.days || 0) }) : '',
            rd.note && lang === 'en' ? ` — ${rd.note}` : ''))));
      }
      // The missing facts and the reason are stored in English; in the
      // other languages the explanation above already says them.
      if (lang === 'en' && fd.missing && fd.missing.length) fi.append(h('p', null, 'Missing to decide: ', list(fd.missing)));
      if (lang === 'en' && fd.reason) fi.append(h('p', null, 'Reason: ', fd.reason));
      (fd.outcome === 'not_prohibited' ? quiet : sec).append(fi);
    }
    const n = quiet.children.length;
    if (n) {
      quiet.prepend(h('summary', null, tn('inc.quiet', n)));
      sec.append(quiet);
    }
    box.append(sec);
  }
}

function renderReports() {
  const box = clear(el('reports'));
  let marks = 0;
  for (const r of inc.report_list) {
    const src = [r.source, r.source_id && r.source_id !== r.id ? r.source_id : '', r.outlet].filter(Boolean).join(' · ');
    const art = h('article', { class: 'report', dataset: { report: r.id } }, h('h3', null, t('inc.report'), ' ', h('span', { translate: 'no' }, r.id)));
    const facts = h('dl', { class: 'facts' });
    // What the source says (names, places, its own words) is shown as
    // the source wrote it, marked translate="no".
    const quoted = (v) => (v ? h('span', { translate: 'no' }, v) : '');
    const when = fmtTime(r.start, tz) + (r.end && r.end !== r.start ? t('inc.time_to', { End: fmtTime(r.end, tz) }) : '');
    dl(facts, [
      [t('inc.source'), quoted(src)],
      [t('inc.file'), quoted(r.file ? `${r.file}${r.line ? ':' + r.line : ''}` : '')],
      [t('inc.time'), `${when} ${t('inc.precision', { Precision: label('precision', r.time_precision) })}`],
      [t('inc.location'), coords(r.lat, r.lon) + (r.location_precision_m ? ' ' + t('inc.within', { Meters: fmtNum(r.location_precision_m) }) : '')],
      [t('inc.place'), quoted(r.place)],
      [t('inc.actor1'), quoted(r.actor1)],
      [t('inc.actor2'), quoted(r.actor2)],
      [t('inc.perpetrator_reported'), quoted(r.perpetrator)],
      [t('inc.actions'), (r.actions || []).map(actionLabel).join(', ')],
      [t('inc.event_type'), quoted(r.event_type)],
      [t('inc.category_reported'), quoted(r.category)],
      [t('inc.site_reported'), quoted(r.site)],
      [t('inc.fatalities'), r.fatalities ? fmtNum(r.fatalities) : ''],
      [t('common.outcome'), r.judgement ? outcomeBadge(r.judgement.outcome) : ''],
    ]);
    art.append(facts);
    const ev = (r.judgement && r.judgement.facts && r.judgement.facts.evidence) || [];
    const { cps, drawn, rest } = layout(r.text, ev);
    if (r.text) art.append(h('blockquote', { class: 'report-text', lang: '', translate: 'no' }, markedText(cps, drawn)));
    if (rest.length) art.append(h('ul', { class: 'ev-lines small' }, rest.map(evidenceLine)));
    marks += drawn.length;
    if (r.original) art.append(h('details', null, h('summary', null, t('inc.original')), h('pre', { translate: 'no' }, r.original)));
    box.append(art);
  }
  if (marks) box.prepend(legend());
}

function renderEvidence() {
  const box = clear(el('evidence'));
  if (!inc.evidence.length) {
    box.append(h('p', { class: 'muted' }, t('inc.no_evidence')));
    return;
  }
  box.append(h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, ['SHA-256', t('ev.type'), t('ev.size'), t('ev.desc'), t('ev.added_by'), t('ev.when'), ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, inc.evidence.map((e) => h('tr', null,
      h('td', { class: 'hash' }, e.sha256),
      h('td', null, e.media_type),
      h('td', { class: 'num' }, t('ev.bytes', { Size: fmtNum(e.size) })),
      h('td', { translate: 'no' }, e.description || ''),
      h('td', null, actorLabel(e.added_by)),
      h('td', null, fmtTime(e.at, tz)),
      h('td', null, h('a', { href: `/api/v1/incidents/${encodeURIComponent(inc.id)}/evidence/${encodeURIComponent(e.id)}` }, t('ev.download')))))))));
}

// actionLabel names an action: its wire name in English (as the page
// always showed it), the explanations' word for it in the others.
const actionLabel = (a) => (lang === 'en' ? a : label('action', a));

// actorLabel names who acted, as the server shows it to the public
// ("monitor", "party UA", "system"), in the page's language.
function actorLabel(actor) {
  const [role, party] = String(actor || '').split(' ');
  if (role === 'party' && party) return t('actor.party', { Party: party });
  return label('actor', actor);
}

function eventText(e) {
  const known = ['created', 'status', 'note', 'response', 'evidence', 'merged', 'merged_into', 'split', 'split_from', 'published'];
  if (!known.includes(e.kind)) return e.kind;
  return t('event.' + e.kind, {
    From: statusLabel(e.from), To: statusLabel(e.to), Party: e.party, Response: label('response', e.response), Evidence: e.evidence, Other: e.other,
  });
}

function renderHistory() {
  const ol = clear(el('history'));
  for (const e of inc.events) {
    ol.append(h('li', { dataset: { kind: e.kind, to: e.to || '' } },
      h('strong', null, eventText(e)), ' — ', fmtTime(e.at, tz), ' ', t('inc.by'), ' ', h('span', { class: 'mono' }, actorLabel(e.actor)),
      e.reason ? h('div', null, e.kind === 'status' ? t('inc.reason') + ' ' : '', h('span', { translate: 'no' }, e.reason)) : null,
      h('div', { class: 'small muted' }, t('inc.log_record', { Index: e.log_index }))));
  }
  const resp = clear(el('responses'));
  const rs = inc.events.filter((e) => e.kind === 'response');
  if (!rs.length) resp.append(h('p', { class: 'muted' }, t('inc.no_responses')));
  for (const e of rs) {
    resp.append(h('div', { class: 'finding' },
      h('p', null, h('strong', null, partyName(ag, e.party)), ': ', label('response', e.response), ', ', fmtTime(e.at, tz)),
      h('blockquote', { translate: 'no' }, e.reason)));
  }
}

function actionForm(title, fieldsEls, onSubmit, label) {
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'actions-form card' }, h('h3', null, title), fieldsEls, h('button', { type: 'submit' }, label), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    clear(msg);
    try {
      await onSubmit(form);
      await load();
      announce(t('act.done', { Title: title }));
    } catch (e) {
      msg.append(errorNotice(e.message));
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

function renderActions() {
  const box = el('actions');
  clear(box).append(h('h2', { id: 'h-actions' }, t('inc.act')));
  if (inc.merged_into) {
    // Every write to a merged incident is refused (409): act where its
    // reports are now.
    box.append(h('p', null, t('act.merged'), ' ',
      h('a', { href: '/incidents/' + encodeURIComponent(inc.merged_into), translate: 'no' }, inc.merged_into)));
    return;
  }
  let any = false;
  if (isMonitor()) {
    const moves = nextStatuses[inc.status] || [];
    if (moves.length) {
      any = true;
      box.append(actionForm(t('act.move'), [
        h('div', { class: 'row' }, h('label', { for: 'act-status' }, t('act.new_status')),
          h('select', { id: 'act-status', name: 'status' }, moves.map((m) => h('option', { value: m }, statusLabel(m))))),
        h('div', { class: 'row' }, h('label', { for: 'act-reason' }, t('act.reason')),
          h('textarea', { id: 'act-reason', name: 'reason', rows: '2', required: true, maxlength: '5000' })),
      ], (f) => api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/status`, { method: 'POST', body: { status: f.status.value, reason: f.reason.value } }), t('act.change_status')));
    }
    any = true;
    box.append(actionForm(t('act.add_note'), [
      h('div', { class: 'row' }, h('label', { for: 'act-note' }, t('act.note')), h('textarea', { id: 'act-note', name: 'text', rows: '2', required: true, maxlength: '20000' })),
    ], (f) => api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/notes`, { method: 'POST', body: { text: f.text.value } }), t('act.add_note_button')));
    if (!inc.published) {
      box.append(actionForm(t('act.publish'), [h('p', null, t('act.publish_text'))],
        () => api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/publish`, { method: 'POST' }), t('act.publish')));
    }
  }
  if (viewer.role === 'party' && (inc.parties || []).includes(viewer.party)) {
    any = true;
    box.append(actionForm(t('act.answer_for', { Party: viewer.party }), [
      h('div', { class: 'row' }, h('label', { for: 'act-kind' }, t('act.kind')),
        h('select', { id: 'act-kind', name: 'kind' }, h('option', { value: 'denial' }, t('act.denial')), h('option', { value: 'counter_claim' }, t('act.counter_claim')))),
      h('div', { class: 'row' }, h('label', { for: 'act-text' }, t('act.statement')), h('textarea', { id: 'act-text', name: 'text', rows: '3', required: true, maxlength: '20000' })),
    ], (f) => api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/responses`, { method: 'POST', body: { kind: f.kind.value, text: f.text.value } }), t('act.send')));
  }
  box.hidden = !any;
}

function renderRecords(results) {
  const tbody = el('records').tBodies[0];
  clear(tbody);
  for (const e of inc.events) {
    const r = results && results.get(e.log_index);
    tbody.append(h('tr', { dataset: { index: String(e.log_index), ok: r ? String(r.ok) : '' } },
      h('td', null, String(e.log_index)),
      h('td', null, eventText(e)),
      h('td', null, r ? [h('span', { class: r.ok ? 'ok' : 'bad' }, r.ok ? '✔' : '✘'), ' ', r.detail,
        r.record ? h('details', null, h('summary', null, t('verify.record')), h('pre', { translate: 'no' }, r.record)) : null] : '—')));
  }
}

async function verify() {
  const btn = el('verify');
  const out = el('verify-result');
  btn.disabled = true;
  out.dataset.state = 'running';
  clear(out).append(h('p', null, t('verify.running')));
  const results = new Map();
  try {
    const idx = [...new Set(inc.events.map((e) => e.log_index))];
    const res = await verifyRecords(idx, (i, ok, detail, rec) => {
      if (ok) detail = tn('verify.included', detail);
      results.set(i, { ok, detail, record: rec ? new TextDecoder().decode(rec) : '' });
      renderRecords(results);
    });
    const cp = res.checkpoint;
    const valid = res.failed === 0;
    out.dataset.state = valid ? 'valid' : 'invalid';
    clear(out).append(
      h('p', { class: 'verdict', id: 'verify-verdict' }, valid
        ? '✔ ' + tn('verify.valid', idx.length)
        : '✘ ' + tn('verify.invalid', idx.length, { Failed: fmtNum(res.failed) })),
      h('dl', { class: 'facts' },
        h('dt', null, t('verify.log')), h('dd', { class: 'mono', translate: 'no' }, cp.origin),
        h('dt', null, t('verify.key')), h('dd', { class: 'hash' }, res.key.text),
        h('dt', null, t('verify.checkpoint')), h('dd', null, tn('verify.size', cp.size, { Root: cp.rootB64 })),
        ...(cp.policy ? [h('dt', null, t('verify.witnesses')), h('dd', { id: 'verify-witnesses' }, t('verify.cosigned', { Names: cp.cosigners.join(', '), Signed: fmtNum(cp.cosigners.length), Total: fmtNum(cp.policy.keys.length), Threshold: fmtNum(cp.policy.threshold) }))] : []),
        h('dt', null, t('verify.checked')), h('dd', null, t('verify.how'))));
    announce(valid ? t('verify.succeeded') : t('verify.failed'));
  } catch (e) {
    out.dataset.state = 'error';
    clear(out).append(h('p', { class: 'verdict', id: 'verify-verdict' }, '✘ ' + t('verify.error', { Error: e.message })));
    announce(t('verify.failed'));
  } finally {
    btn.disabled = false;
  }
}

let miniMap = null;
function renderMap() {
  if (!window.L) return;
  const L = window.L;
  if (!miniMap) {
    miniMap = L.map('inc-map', { zoomSnap: 0.5, attributionControl: false, scrollWheelZoom: false });
    miniMap.setView([inc.lat, inc.lon], 6);
    addBasemap(miniMap).catch(() => {});
  }
  const o = inc.outcome || 'none';
  L.marker([inc.lat, inc.lon], { keyboard: false, icon: L.divIcon({ className: `inc inc-${o}`, iconSize: [18, 18], html: '' }) }).addTo(miniMap);
  for (const r of inc.report_list) {
    if (r.location_precision_m) L.circle([r.lat, r.lon], { radius: r.location_precision_m, weight: 1, fill: false, color: '#1b1f24' }).addTo(miniMap);
  }
}

async function load() {
  inc = await api('/api/v1/incidents/' + encodeURIComponent(id) + langQuery('?'));
  renderFacts();
  renderVerdict();
  renderReports();
  renderEvidence();
  renderHistory();
  renderActions();
  renderRecords(null);
  root.dataset.status = inc.status;
  root.dataset.published = String(inc.published);
  root.dataset.state = 'ready';
}

async function init() {
  try {
    ag = await agreement().catch(() => null);
    tz = (ag && ag.timezone) || 'UTC';
    await load();
    el('inc-message').hidden = true;
    el('inc-body').hidden = false;
    renderMap();
    el('verify').addEventListener('click', verify);
  } catch (e) {
    root.dataset.state = 'error';
    const m = el('inc-message');
    m.className = '';
    clear(m).append(errorNotice(e.status === 404 ? t('inc.not_found') : t('inc.load_failed', { Error: e.message })));
  }
}

init();
