// Claims: the parties' own accusations (GET /api/v1/claims) with what
// independent evidence says of each (status and its reason, the verdict a
// judged claim carries over), one claim's proposed matches and the
// monitors' decisions (GET /api/v1/claims/{id}), the tallies as stated
// (GET /api/v1/tallies); a party files a claim as itself (POST
// /api/v1/claims), a monitor confirms or rejects a match (POST
// .../matches) and publishes a claim (POST .../publish). Every record
// field is untrusted text: the page is built with DOM calls only, and a
// field the API does not send is shown as not given.
import {
  h, clear, api, announce, agreement, viewer, isMonitor, partyName, errorNotice, outcomeBadge, fmtNum, fmtTime, t, tn, label, nameOf,
} from './common.js';

const el = (x) => document.getElementById(x);
let ag = null;
let tz = 'UTC';
let claims = [];

const statusName = (st) => label('claims.status', st);
const statusHelp = (st) => (['corroborated', 'contradicted', 'judged', 'unverified'].includes(st) ? t('claims.help.' + st) : '');
const placedHow = (by) => (['coordinates', 'site', 'settlement', 'region', 'none'].includes(by) ? t('claims.placed.' + by) : t('claims.placed_by', { By: by }));
const kinds = ['oil refinery', 'oil and gas pipeline/pumping/compressor/metering station', 'oil and gas storage', 'power plant',
  'substation or transformer', 'power transmission/distribution', 'nuclear power plant', 'hydroelectric dam', 'gas production',
  'heating/boiler', 'other', 'not stated'];

// list is the array of an answer that is an array or wraps one.
const list = (v, ...keys) => {
  if (Array.isArray(v)) return v;
  for (const k of keys) if (v && Array.isArray(v[k])) return v[k];
  return [];
};
const str = (v) => (v === null || v === undefined ? '' : String(v));
const speaker = (c) => str(c.claimant_body || c.body);
// actor is who decided a match: as recorded for monitors, by role for
// everyone else (a principal is ROLE:…, as the log records it).
const actor = (by) => (isMonitor() ? str(by) : str(by).split(':')[0]) || t('claims.a_monitor');

// check is what independent evidence says of claim c: its own fields, or
// those of a nested result, whichever the API sends.
function check(c) {
  const r = c.result || c.check || {};
  return {
    status: str(c.status || r.status),
    reason: str(c.reason || r.reason),
    corroborated: Boolean(c.corroborated ?? r.corroborated),
    verdict: str(c.verdict || r.verdict),
    explanation: str(c.explanation || r.explanation),
    incidents: list(c.incidents).length ? list(c.incidents) : list(r.incidents),
    proposals: list(c.proposals).length ? list(c.proposals) : list(r.proposals),
  };
}

function statusBadge(st) {
  return h('span', { class: 'badge claim-' + (st || 'none'), dataset: { status: st || '' } }, st ? statusName(st) : t('claims.not_checked'));
}

// externalLink links to a source off this site: http and https only,
// opened without a referrer or a handle on this page.
function externalLink(url, text) {
  let u = null;
  try {
    u = new URL(url);
  } catch (_) {
    // not an absolute address
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return text ? h('span', null, text) : null;
  const a = h('a', { rel: 'noopener noreferrer external', target: '_blank', class: 'source' }, text || u.hostname);
  a.setAttribute('href', u.href);
  return a;
}

const incidentLink = (id) => h('a', { href: '/incidents/' + encodeURIComponent(id), dataset: { incident: id } }, id);

// day is the calendar day of a YYYY-MM-DD date, or of an RFC 3339
// instant: in UTC when it is midnight UTC (a day recorded as a UTC day),
// else in the agreement's time zone.
function day(v, zone) {
  const x = str(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(x) || Number.isNaN(Date.parse(x))) return x.slice(0, 10);
  return fmtTime(x, zone || zoneOf(x), false);
}

const zoneOf = (x) => (new Date(x).toISOString().endsWith('T00:00:00.000Z') ? 'UTC' : tz);

// eventDays is the claimed event's day, or its first and last days.
function eventDays(c) {
  const st = c.event_start || c.event_date || '';
  if (!st) return '';
  const zone = Number.isNaN(Date.parse(st)) ? '' : zoneOf(st);
  const a = day(st, zone);
  if (c.event_end && !Number.isNaN(Date.parse(c.event_end))) {
    const last = day(new Date(Date.parse(c.event_end) - 1).toISOString(), zone);
    if (last > a) return `${a} – ${last}`;
  }
  return a;
}

function place(c) {
  const named = [c.settlement, c.region, c.country_of_site].filter((x) => x && x !== 'not stated').join(', ');
  const by = c.placed_by || (c.lat !== undefined && c.lat !== null ? 'coordinates' : 'none');
  const parts = [named || t('claims.no_place')];
  let how = placedHow(by);
  if (by !== 'none' && c.location_precision_m) how += t('claims.within', { N: fmtNum(Math.round(c.location_precision_m / 100) / 10) });
  if (c.site) how += t('claims.site', { Site: c.site });
  return h('span', null, parts, h('span', { class: 'small muted placed', dataset: { placedBy: by } }, t('claims.placed_how', { How: how })));
}

function party(id) {
  return id ? partyName(ag, id) : '—';
}

function row(c) {
  const k = check(c);
  const pub = c.published !== false;
  const link = h('a', { href: '/claims?claim=' + encodeURIComponent(c.id), class: 'claim-link' }, c.id);
  link.addEventListener('click', (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    showClaim(c.id, true);
  });
  return h('tr', { dataset: { claim: c.id, status: k.status, published: String(pub), claimant: str(c.claimant), accused: str(c.accused) } },
    h('th', { scope: 'row', class: 'nowrap' }, link, pub ? null : [' ', h('span', { class: 'badge unpublished' }, t('unpublished'))]),
    h('td', null, party(c.claimant), speaker(c) ? h('div', { class: 'small muted' }, speaker(c)) : null),
    h('td', null, party(c.accused)),
    h('td', { class: 'nowrap' }, day(c.statement_date)),
    h('td', { class: 'nowrap' }, eventDays(c) || h('span', { class: 'muted' }, t('claims.not_given'))),
    h('td', null, c.facility || h('span', { class: 'muted' }, t('claims.not_named')), c.facility_kind ? h('div', { class: 'small muted' }, c.facility_kind) : null),
    h('td', null, place(c)),
    h('td', { class: 'claim-status' }, statusBadge(k.status), k.verdict ? [' ', outcomeBadge(k.verdict)] : null,
      k.reason ? h('div', { class: 'small reason' }, k.reason) : null),
    h('td', null, externalLink(c.source_url, c.source_title || t('claims.source_word')) || h('span', { class: 'muted' }, c.source_title || '—')),
    h('td', null, c.confidence || '—'));
}

function renderList() {
  const want = el('f-status').value;
  const shown = claims.filter((c) => !want || check(c).status === want);
  const box = clear(el('claims'));
  const counts = {};
  for (const c of shown) counts[check(c).status || 'none'] = (counts[check(c).status || 'none'] || 0) + 1;
  const summary = Object.entries(counts).map(([k, n]) => `${k === 'none' ? t('claims.not_checked') : statusName(k)}: ${fmtNum(n)}`).join(', ');
  el('claims-message').textContent = shown.length
    ? tn('claims.count', shown.length, { Of: claims.length !== shown.length ? t('claims.of', { N: fmtNum(claims.length) }) : '', Summary: summary })
    : (claims.length ? t('claims.none_with_status') : t('claims.none'));
  if (shown.length) {
    box.append(h('div', { class: 'table-wrap claims-wrap' }, h('table', { id: 'claims-table' },
      h('caption', { class: 'visually-hidden' }, t('claims.caption')),
      h('thead', null, h('tr', null, ['claim', 'claimant', 'accused', 'stated', 'event', 'facility', 'place', 'status', 'source', 'confidence']
        .map((c) => h('th', { scope: 'col' }, t('claims.col.' + c))))),
      h('tbody', null, shown.map(row)))));
  }
  box.dataset.state = 'ready';
  box.dataset.count = String(shown.length);
}

async function loadClaims() {
  const box = el('claims');
  box.dataset.state = 'loading';
  el('claims-message').textContent = t('loading');
  const q = new URLSearchParams();
  if (el('f-claimant').value) q.set('claimant', el('f-claimant').value);
  if (el('f-accused').value) q.set('accused', el('f-accused').value);
  try {
    claims = list(await api('/api/v1/claims' + (q.size ? '?' + q : '')), 'claims', 'items');
    renderList();
  } catch (e) {
    box.dataset.state = 'error';
    clear(el('claims-message')).append(errorNotice(t('claims.load_failed', { Error: e.message })));
  }
}

async function loadTallies() {
  const box = el('tallies');
  try {
    const ts = list(await api('/api/v1/tallies'), 'tallies', 'items');
    clear(box).append(ts.length
      ? h('div', { class: 'table-wrap' }, h('table', { id: 'tallies-table' },
        h('caption', { class: 'visually-hidden' }, t('claims.tallies_caption')),
        h('thead', null, h('tr', null, ['claimant', 'stated', 'who', 'period', 'count', 'wording', 'source'].map((c) => h('th', { scope: 'col' }, t('claims.tcol.' + c))))),
        h('tbody', null, ts.map((ty) => h('tr', { dataset: { tally: str(ty.id), published: String(ty.published !== false) } },
          h('td', null, party(ty.claimant), ty.published === false ? [' ', h('span', { class: 'badge unpublished' }, t('unpublished'))] : null),
          h('td', null, day(ty.statement_date)), h('td', null, ty.speaker || '—'), h('td', null, ty.period || ty.period_covered || '—'),
          h('td', null, h('strong', null, str(ty.count))), h('td', null, ty.wording || ''),
          h('td', null, externalLink(ty.source_url, ty.source_title || t('claims.source_word')) || (ty.source_title || '—')))))))
      : h('p', { class: 'muted' }, t('claims.no_tallies')));
    box.dataset.state = 'ready';
  } catch (e) {
    box.dataset.state = 'error';
    clear(box).append(errorNotice(t('claims.tallies_failed', { Error: e.message })));
  }
}

// decisionName names a monitor's decision on a match.
const decisionName = (d) => (d === 'confirmed' || d === 'rejected' ? t('claims.decision.' + d) : d);

// decisionOf is the monitors' latest decision on incident inc of a claim.
function decisionOf(d, inc) {
  let last = null;
  for (const m of list(d.matches)) if (m.incident === inc && (!last || str(m.at) >= str(last.at))) last = m;
  return last;
}

function matchForm(id, p, done) {
  const note = 'note-' + p.incident;
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  const send = async (decision, btn) => {
    btn.disabled = true;
    clear(msg);
    try {
      await api(`/api/v1/claims/${encodeURIComponent(id)}/matches`, {
        method: 'POST', body: { incident: p.incident, decision, note: form.querySelector('input').value.trim() },
      });
      announce(t('claims.match_' + decision, { Incident: p.incident }));
      await done();
    } catch (e) {
      msg.append(errorNotice(e.message));
      btn.disabled = false;
    }
  };
  const confirm = h('button', { type: 'button', class: 'confirm', dataset: { decision: 'confirmed' } }, t('claims.confirm'));
  const reject = h('button', { type: 'button', class: 'reject', dataset: { decision: 'rejected' } }, t('claims.reject'));
  const form = h('div', { class: 'match-form', dataset: { incident: p.incident } },
    h('div', { class: 'row grow' }, h('label', { for: note }, t('claims.note_optional')), h('input', { type: 'text', id: note, maxlength: '5000', autocomplete: 'off' })),
    confirm, reject, msg);
  confirm.addEventListener('click', () => send('confirmed', confirm));
  reject.addEventListener('click', () => send('rejected', reject));
  return form;
}

function fact(term, ...value) {
  return [h('dt', null, term), h('dd', null, ...value)];
}

function renderDetail(d) {
  const k = check(d);
  const box = clear(el('claim-body'));
  const pub = d.published !== false;
  el('h-claim').textContent = t('claims.claim_id', { ID: d.id });
  box.append(h('p', null, statusBadge(k.status), k.verdict ? [' ', t('claims.verdict'), ' ', outcomeBadge(k.verdict)] : null,
    pub ? null : [' ', h('span', { class: 'badge unpublished', id: 'claim-unpublished' }, t('unpublished'))],
    ' ', h('span', { class: 'muted' }, statusHelp(k.status))));
  if (k.reason) box.append(h('p', { id: 'claim-reason' }, k.reason));
  if (k.explanation) box.append(h('p', { class: 'explanation' }, h('strong', null, t('claims.carried_over') + ' '), k.explanation));
  if (isMonitor() && !pub) {
    const msg = h('span', { role: 'status', 'aria-live': 'polite' });
    const btn = h('button', { type: 'button', id: 'claim-publish' }, t('claims.publish'));
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      clear(msg);
      try {
        await api(`/api/v1/claims/${encodeURIComponent(d.id)}/publish`, { method: 'POST' });
        announce(t('claims.published', { ID: d.id }));
        await Promise.all([showClaim(d.id, false), loadClaims()]);
      } catch (e) {
        msg.append(errorNotice(t('claims.not_published', { Error: e.message })));
        btn.disabled = false;
      }
    });
    box.append(h('p', null, btn, ' ', msg));
  }
  const ll = d.lat !== undefined && d.lat !== null && d.lon !== undefined && d.lon !== null ? ` (${Number(d.lat).toFixed(4)}, ${Number(d.lon).toFixed(4)})` : '';
  box.append(h('dl', { class: 'facts' },
    fact(t('claims.col.claimant'), party(d.claimant), speaker(d) ? ` — ${speaker(d)}` : ''),
    fact(t('claims.col.accused'), party(d.accused)),
    fact(t('claims.statement_date'), day(d.statement_date) || '—'),
    fact(t('claims.event_date'), eventDays(d) || t('claims.not_given')),
    fact(t('claims.col.facility'), d.facility || t('claims.not_named'), d.facility_kind ? ` (${d.facility_kind})` : ''),
    fact(t('claims.col.place'), place(d), ll),
    fact(t('claims.weapon'), d.weapon || '—'),
    fact(t('claims.consequences'), d.consequences || '—'),
    fact(t('claims.col.source'), externalLink(d.source_url, d.source_title || d.source_url) || (d.source_title || '—')),
    fact(t('claims.col.confidence'), d.confidence || '—', h('span', { class: 'small muted' }, ' ' + t('claims.confidence_help'))),
    d.note ? fact(t('claims.note'), d.note) : null));
  if (k.incidents.length) box.append(h('p', null, t('claims.rests_on') + ' ', k.incidents.flatMap((id, i) => [i ? ', ' : '', incidentLink(id)]), '.'));
  box.append(h('h3', null, t('claims.same_event')));
  const props = list(d.proposals).length ? list(d.proposals) : k.proposals;
  // Decisions on incidents that were not proposed (a monitor's own match)
  // are listed too.
  const seen = new Set(props.map((p) => p.incident));
  const extra = list(d.matches).filter((m) => !seen.has(m.incident) && (seen.add(m.incident), true)).map((m) => ({ incident: m.incident, reason: '' }));
  const all = [...props, ...extra];
  if (!all.length) {
    box.append(h('p', { class: 'muted', id: 'no-proposals' }, t('claims.no_proposals')));
  } else {
    box.append(h('ul', { class: 'queue proposals' }, all.map((p) => {
      const dec = decisionOf(d, p.incident) || (p.decision ? { decision: p.decision } : null);
      const details = [];
      if (p.by_site) details.push(t('claims.by_site'));
      if (typeof p.distance_m === 'number' && p.distance_m >= 0) details.push(t('claims.km_away', { N: fmtNum(Math.round(p.distance_m / 100) / 10) }));
      if (p.vague) details.push(t('claims.vague'));
      return h('li', { dataset: { incident: p.incident, decision: dec ? str(dec.decision) : 'none' } },
        h('p', null, h('strong', null, incidentLink(p.incident)), list(p.reports).length ? t('claims.reports', { List: list(p.reports).join(', ') }) : '',
          details.length ? h('span', { class: 'muted' }, ` · ${details.join('; ')}`) : null),
        p.reason ? h('p', { class: 'explanation' }, p.reason) : (props.includes(p) ? null : h('p', { class: 'muted' }, t('claims.by_monitor'))),
        dec ? h('p', { class: 'decision' }, h('span', { class: 'badge status' }, decisionName(str(dec.decision))),
          t('claims.decided_by', { Who: actor(dec.by) }) + (dec.at ? t('claims.decided_on', { Day: day(dec.at) }) : ''), dec.note ? ` — ${dec.note}` : '') : h('p', { class: 'small muted' }, t('claims.undecided')),
        isMonitor() ? matchForm(d.id, p, () => Promise.all([showClaim(d.id, false), loadClaims()])) : null);
    })));
  }
}

// showClaim opens claim id in the detail panel; push records it in the
// address, so that the panel can be linked to.
async function showClaim(id, push) {
  const sec = el('claim-detail');
  sec.hidden = false;
  sec.dataset.state = 'loading';
  sec.dataset.claim = id;
  if (push) {
    const q = new URLSearchParams(location.search);
    q.set('claim', id);
    history.pushState(null, '', '?' + q);
  }
  try {
    const d = await api('/api/v1/claims/' + encodeURIComponent(id));
    if (sec.dataset.claim !== id) return;
    renderDetail(d);
    sec.dataset.state = 'ready';
    sec.dataset.published = String(d.published !== false);
    sec.dataset.status = check(d).status;
    if (push) el('h-claim').focus();
  } catch (e) {
    sec.dataset.state = 'error';
    el('h-claim').textContent = t('claims.claim_id', { ID: id });
    clear(el('claim-body')).append(errorNotice(e.status === 404 ? t('claims.not_found') : t('claims.claim_failed', { Error: e.message })));
  }
}

function fileForm() {
  const form = el('claim-form');
  if (!form) return;
  const others = ag ? ag.parties.filter((p) => !p.mediator && p.id !== viewer.party) : [];
  for (const p of others) el('c-accused').append(h('option', { value: p.id }, `${nameOf(p)} (${p.id})`));
  for (const k of kinds) el('c-kind').append(h('option', { value: k }, k));
  el('c-stated').value = new Date().toISOString().slice(0, 10);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = clear(el('c-result'));
    if (!form.reportValidity()) return;
    if (Boolean(form.lat.value) !== Boolean(form.lon.value)) {
      out.append(errorNotice(t('claims.both_or_neither')));
      return;
    }
    const body = { accused: form.accused.value, statement_date: form.statement_date.value };
    for (const f of ['claimant_body', 'event_date', 'facility', 'facility_kind', 'settlement', 'region', 'country_of_site', 'weapon', 'consequences', 'source_title', 'source_url', 'note']) {
      const v = form.elements[f].value.trim();
      if (v) body[f] = v;
    }
    if (form.lat.value) {
      body.lat = Number(form.lat.value);
      body.lon = Number(form.lon.value);
    }
    const btn = el('c-submit');
    btn.disabled = true;
    try {
      const c = await api('/api/v1/claims', { method: 'POST', body });
      const id = str(c.id || c.claim_id);
      out.append(h('div', { class: 'notice', id: 'c-created', dataset: { claim: id } },
        h('p', null, h('strong', null, t('claims.filed', { ID: id })), t('claims.filed_as', { Party: viewer.party }), ' ',
          h('a', { href: '/claims?claim=' + encodeURIComponent(id) }, t('claims.open_it')), '.')));
      form.reset();
      el('c-claimant').value = viewer.party;
      el('c-stated').value = new Date().toISOString().slice(0, 10);
      announce(t('claims.filed', { ID: id }));
      await Promise.all([loadClaims(), id ? showClaim(id, true) : null]);
    } catch (err) {
      out.append(errorNotice(t('claims.not_filed', { Error: err.message })));
    } finally {
      btn.disabled = false;
    }
  });
}

async function init() {
  ag = await agreement().catch(() => null);
  tz = (ag && ag.timezone) || 'UTC';
  const params = new URLSearchParams(location.search);
  for (const p of ag ? ag.parties.filter((x) => !x.mediator) : []) {
    el('f-claimant').append(h('option', { value: p.id }, `${nameOf(p)} (${p.id})`));
    el('f-accused').append(h('option', { value: p.id }, `${nameOf(p)} (${p.id})`));
  }
  for (const f of ['claimant', 'accused', 'status']) {
    const v = params.get(f);
    if (!v) continue;
    const sel = el('f-' + f);
    if (![...sel.options].some((o) => o.value === v)) sel.append(h('option', { value: v }, v));
    sel.value = v;
  }
  el('claims-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const f of ['claimant', 'accused', 'status']) if (el('f-' + f).value) q.set(f, el('f-' + f).value);
    const open = new URLSearchParams(location.search).get('claim');
    if (open) q.set('claim', open);
    history.replaceState(null, '', q.size ? '?' + q : location.pathname);
    loadClaims();
  });
  el('f-status').addEventListener('change', renderList);
  fileForm();
  window.addEventListener('popstate', () => {
    const id = new URLSearchParams(location.search).get('claim');
    if (id) showClaim(id, false);
    else el('claim-detail').hidden = true;
  });
  const open = params.get('claim');
  await Promise.all([loadClaims(), loadTallies(), open ? showClaim(open, false) : null]);
}

init().catch((e) => {
  el('claims').dataset.state = 'error';
  clear(el('claims-message')).append(errorNotice(t('claims.load_failed', { Error: e.message })));
});
