// The incident page: reports and their sources, evidence, the verdict and
// its explanation under each reading, the review history, the parties'
// responses, the review actions for the signed-in user, and the in-browser
// verification of the incident's log records.
import {
  h, clear, api, announce, agreement, viewer, isMonitor, outcomeLabel, outcomeBadge, statusBadge, statusLabel,
  fmtTime, fmtNum, partyName, errorNotice,
} from './common.js';
import { addBasemap } from './basemap.js';
import { verifyRecords } from './verify.js';
import { layout, markedText, evidenceLine, legend } from './evidence.js';

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

function renderFacts() {
  dl(el('inc-facts'), [
    ['Outcome', outcomeBadge(inc.outcome)],
    ['Review status', statusBadge(inc.status)],
    ['Published', inc.published ? 'Yes: visible to everyone' : h('span', null, h('span', { class: 'badge unpublished', id: 'unpublished' }, 'unpublished'), ' visible only to monitors and the submitting party until reviewed')],
    ['Time', fmtTime(inc.start, tz) + (tz !== 'UTC' ? ` (${tz})` : '')],
    ['Location', `${inc.lat.toFixed(4)}, ${inc.lon.toFixed(4)} (latitude, longitude)`],
    ['Accused', parties(inc.parties) || 'No party established'],
    ['Phases concerned', list(inc.phases)],
    ['Contested by', parties(inc.contested_by)],
    ['Submitted by', inc.submitted_by ? partyName(ag, inc.submitted_by) : ''],
    ['Reports', inc.merged_into
      ? h('span', null, 'None: they were merged into incident ', h('a', { href: '/incidents/' + encodeURIComponent(inc.merged_into) }, inc.merged_into))
      : `${inc.report_list.length} (corroboration: independent reports of the same event)`],
    ['Last change', fmtTime(inc.updated_at, tz)],
  ]);
}

function renderVerdict() {
  const box = clear(el('verdict'));
  box.append(h('p', null, outcomeBadge(inc.outcome), ' ', inc.explanation || 'Not judged yet.'));
  for (const r of inc.report_list) {
    const j = r.judgement;
    if (!j) continue;
    const sec = h('div', { class: 'judgement', dataset: { report: r.id } });
    sec.append(h('h3', null, `Judgement of report ${r.id}`));
    const f = j.facts || {};
    const facts = h('dl', { class: 'facts' });
    dl(facts, [
      ['Perpetrator', f.perpetrator ? `${partyName(ag, f.perpetrator)} — from ${f.perpetrator_basis || '?'}${f.perpetrator_note ? ': ' + f.perpetrator_note : ''}` : 'not established'],
      ['Actions', f.actions ? `${list(f.actions)} — from ${f.action_basis || '?'}` : 'not established'],
      ['Target category', f.category ? `${f.category} — from ${f.category_basis || '?'}${f.category_note ? ': ' + f.category_note : ''}` : 'not established'],
      ['Protected site', f.site ? `${f.site.name} (${f.site.category || 'no category'}), ${fmtNum(Math.round(f.site.distance_m))} m away` : ''],
      ['Zones', list(f.zones)],
      ['Place named in the text', f.place || ''],
      ['Modality', f.modality ? `${f.modality}: the attack did not happen as reported` : ''],
      ['Attempted', f.attempted ? 'yes: the attack was intercepted or missed' : ''],
    ]);
    sec.append(facts);
    const quiet = h('details', null);
    for (const fd of j.findings || []) {
      const fi = h('div', { class: 'finding', dataset: { commitment: fd.commitment, outcome: fd.outcome } },
        h('p', null, outcomeBadge(fd.outcome), ' ', h('strong', null, fd.commitment), ` (phase ${fd.phase}${fd.party ? ', bound: ' + fd.party : ''}${fd.zone ? ', zone ' + fd.zone : ''})`),
        h('p', null, fd.explanation));
      if (fd.readings && fd.readings.length) {
        fi.append(h('p', { class: 'small' }, 'Under each reading of the terms:'),
          h('ul', { class: 'readings' }, fd.readings.map((rd) => h('li', null,
            h('strong', null, list(rd.parties)), ': ', outcomeLabel(rd.outcome),
            rd.day ? ` — day ${rd.day}${rd.days ? ' of ' + rd.days : ''}` : '', rd.note ? ` — ${rd.note}` : ''))));
      }
      if (fd.missing && fd.missing.length) fi.append(h('p', null, 'Missing to decide: ', list(fd.missing)));
      if (fd.reason) fi.append(h('p', null, 'Reason: ', fd.reason));
      (fd.outcome === 'not_prohibited' ? quiet : sec).append(fi);
    }
    const n = quiet.children.length;
    if (n) {
      quiet.prepend(h('summary', null, `${n} commitment${n === 1 ? '' : 's'} that ${n === 1 ? 'does' : 'do'} not prohibit it`));
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
    const art = h('article', { class: 'report', dataset: { report: r.id } }, h('h3', null, `Report ${r.id}`));
    const facts = h('dl', { class: 'facts' });
    dl(facts, [
      ['Source', src],
      ['File', r.file ? `${r.file}${r.line ? ':' + r.line : ''}` : ''],
      ['Time', `${fmtTime(r.start, tz)}${r.end && r.end !== r.start ? ' to ' + fmtTime(r.end, tz) : ''} (${r.time_precision} precision)`],
      ['Location', `${r.lat.toFixed(4)}, ${r.lon.toFixed(4)}${r.location_precision_m ? ` (within ${fmtNum(r.location_precision_m)} m)` : ''}`],
      ['Place', r.place],
      ['Actor 1', r.actor1],
      ['Actor 2', r.actor2],
      ['Perpetrator (as reported)', r.perpetrator],
      ['Actions', list(r.actions)],
      ['Event type', r.event_type],
      ['Category (as reported)', r.category],
      ['Site (as reported)', r.site],
      ['Fatalities', r.fatalities ? String(r.fatalities) : ''],
      ['Outcome', r.judgement ? outcomeBadge(r.judgement.outcome) : ''],
    ]);
    art.append(facts);
    const ev = (r.judgement && r.judgement.facts && r.judgement.facts.evidence) || [];
    const { cps, drawn, rest } = layout(r.text, ev);
    if (r.text) art.append(h('blockquote', { class: 'report-text', lang: '' }, markedText(cps, drawn)));
    if (rest.length) art.append(h('ul', { class: 'ev-lines small' }, rest.map(evidenceLine)));
    marks += drawn.length;
    if (r.original) art.append(h('details', null, h('summary', null, 'The original row, as received'), h('pre', null, r.original)));
    box.append(art);
  }
  if (marks) box.prepend(legend());
}

function renderEvidence() {
  const box = clear(el('evidence'));
  if (!inc.evidence.length) {
    box.append(h('p', { class: 'muted' }, 'No evidence attached.'));
    return;
  }
  box.append(h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, ['SHA-256', 'Type', 'Size', 'Description', 'Added by', 'When', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, inc.evidence.map((e) => h('tr', null,
      h('td', { class: 'hash' }, e.sha256),
      h('td', null, e.media_type),
      h('td', { class: 'num' }, `${fmtNum(e.size)} B`),
      h('td', null, e.description || ''),
      h('td', null, e.added_by),
      h('td', null, fmtTime(e.at, tz)),
      h('td', null, h('a', { href: `/api/v1/incidents/${encodeURIComponent(inc.id)}/evidence/${encodeURIComponent(e.id)}` }, 'Download'))))))));
}

function eventText(e) {
  switch (e.kind) {
    case 'created': return 'Opened';
    case 'status': return `Status ${statusLabel(e.from)} → ${statusLabel(e.to)}`;
    case 'note': return 'Monitor note';
    case 'response': return `Response by ${e.party}: ${e.response === 'counter_claim' ? 'counter-claim' : e.response}`;
    case 'evidence': return `Evidence added (${e.evidence})`;
    case 'merged': return `Took in the reports of ${e.other}`;
    case 'merged_into': return `Merged into ${e.other}`;
    case 'split': return `A report was split off into ${e.other}`;
    case 'split_from': return `Opened for a report split from ${e.other}`;
    case 'published': return 'Published';
  }
  return e.kind;
}

function renderHistory() {
  const ol = clear(el('history'));
  for (const e of inc.events) {
    ol.append(h('li', { dataset: { kind: e.kind, to: e.to || '' } },
      h('strong', null, eventText(e)), ' — ', fmtTime(e.at, tz), ' by ', h('span', { class: 'mono' }, e.actor),
      e.reason ? h('div', null, e.kind === 'status' ? 'Reason: ' : '', e.reason) : null,
      h('div', { class: 'small muted' }, `log record ${e.log_index}`)));
  }
  const resp = clear(el('responses'));
  const rs = inc.events.filter((e) => e.kind === 'response');
  if (!rs.length) resp.append(h('p', { class: 'muted' }, 'No party has answered this incident.'));
  for (const e of rs) {
    resp.append(h('div', { class: 'finding' },
      h('p', null, h('strong', null, partyName(ag, e.party)), ': ', e.response === 'counter_claim' ? 'counter-claim' : e.response, ', ', fmtTime(e.at, tz)),
      h('blockquote', null, e.reason)));
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
      announce(title + ': done');
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
  clear(box).append(h('h2', { id: 'h-actions' }, 'Act on this incident'));
  if (inc.merged_into) {
    // Every write to a merged incident is refused (409): act where its
    // reports are now.
    box.append(h('p', null, 'This incident was merged; act on incident ',
      h('a', { href: '/incidents/' + encodeURIComponent(inc.merged_into) }, inc.merged_into), ' instead.'));
    return;
  }
  let any = false;
  if (isMonitor()) {
    const moves = nextStatuses[inc.status] || [];
    if (moves.length) {
      any = true;
      box.append(actionForm('Move in review', [
        h('div', { class: 'row' }, h('label', { for: 'act-status' }, 'New status'),
          h('select', { id: 'act-status', name: 'status' }, moves.map((m) => h('option', { value: m }, statusLabel(m))))),
        h('div', { class: 'row' }, h('label', { for: 'act-reason' }, 'Reason (kept in the history and the log)'),
          h('textarea', { id: 'act-reason', name: 'reason', rows: '2', required: true, maxlength: '5000' })),
      ], (f) => api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/status`, { method: 'POST', body: { status: f.status.value, reason: f.reason.value } }), 'Change status'));
    }
    any = true;
    box.append(actionForm('Add a monitor\'s note', [
      h('div', { class: 'row' }, h('label', { for: 'act-note' }, 'Note'), h('textarea', { id: 'act-note', name: 'text', rows: '2', required: true, maxlength: '20000' })),
    ], (f) => api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/notes`, { method: 'POST', body: { text: f.text.value } }), 'Add note'));
    if (!inc.published) {
      box.append(actionForm('Publish', [h('p', null, 'Make this incident visible to observers and the public.')],
        () => api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/publish`, { method: 'POST' }), 'Publish'));
    }
  }
  if (viewer.role === 'party' && (inc.parties || []).includes(viewer.party)) {
    any = true;
    box.append(actionForm(`Answer for ${viewer.party}`, [
      h('div', { class: 'row' }, h('label', { for: 'act-kind' }, 'Kind'),
        h('select', { id: 'act-kind', name: 'kind' }, h('option', { value: 'denial' }, 'Denial'), h('option', { value: 'counter_claim' }, 'Counter-claim'))),
      h('div', { class: 'row' }, h('label', { for: 'act-text' }, 'Statement'), h('textarea', { id: 'act-text', name: 'text', rows: '3', required: true, maxlength: '20000' })),
    ], (f) => api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/responses`, { method: 'POST', body: { kind: f.kind.value, text: f.text.value } }), 'Send the answer'));
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
        r.record ? h('details', null, h('summary', null, 'The record, as hashed'), h('pre', null, r.record)) : null] : '—')));
  }
}

async function verify() {
  const btn = el('verify');
  const out = el('verify-result');
  btn.disabled = true;
  out.dataset.state = 'running';
  clear(out).append(h('p', null, 'Verifying…'));
  const results = new Map();
  try {
    const idx = [...new Set(inc.events.map((e) => e.log_index))];
    const res = await verifyRecords(idx, (i, ok, detail, rec) => {
      results.set(i, { ok, detail, record: rec ? new TextDecoder().decode(rec) : '' });
      renderRecords(results);
    });
    const cp = res.checkpoint;
    const valid = res.failed === 0;
    out.dataset.state = valid ? 'valid' : 'invalid';
    clear(out).append(
      h('p', { class: 'verdict', id: 'verify-verdict' }, valid
        ? `✔ Valid: the checkpoint's signature is good, and ${idx.length === 1 ? 'the record' : `all ${idx.length} records`} of this incident's history ${idx.length === 1 ? 'is' : 'are'} in the log it signs.`
        : `✘ Not valid: ${res.failed} of ${idx.length} records failed (see the table).`),
      h('dl', { class: 'facts' },
        h('dt', null, 'Log'), h('dd', { class: 'mono' }, cp.origin),
        h('dt', null, 'Public key'), h('dd', { class: 'hash' }, res.key.text),
        h('dt', null, 'Checkpoint'), h('dd', null, `${fmtNum(cp.size)} records, root ${cp.rootB64}`),
        ...(cp.policy ? [h('dt', null, 'Witnesses'), h('dd', { id: 'verify-witnesses' }, `cosigned by ${cp.cosigners.join(', ')}: ${cp.cosigners.length} of ${cp.policy.keys.length}, the agreement's policy needs ${cp.policy.threshold}`)] : []),
        h('dt', null, 'Checked'), h('dd', null, 'Ed25519 signature (WebCrypto), RFC 6962 inclusion proofs (SHA-256)')));
    announce(valid ? 'Verification succeeded' : 'Verification failed');
  } catch (e) {
    out.dataset.state = 'error';
    clear(out).append(h('p', { class: 'verdict', id: 'verify-verdict' }, '✘ Could not verify: ' + e.message));
    announce('Verification failed: ' + e.message);
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
  inc = await api('/api/v1/incidents/' + encodeURIComponent(id));
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
    clear(m).append(errorNotice(e.status === 404 ? 'This incident does not exist, or you may not see it (unpublished incidents are visible only to monitors and the submitting party).' : 'The incident could not be loaded: ' + e.message));
  }
}

init();
