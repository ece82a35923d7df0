// The monitors' review queue: incidents reported or under review, oldest
// first, each with a form to move it on in the workflow with a reason.
import {
  h, clear, api, announce, agreement, outcomeBadge, statusBadge, statusLabel, fmtTime, partyName, errorNotice, dayStart, addDays, t, tn,
} from './common.js';

const el = (x) => document.getElementById(x);
const moves = { reported: ['under_review', 'dismissed'], under_review: ['verified', 'unverifiable', 'dismissed'] };
let ag = null;
let tz = 'UTC';
let next = '';

function item(inc) {
  const sel = 'mv-' + inc.id;
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  const form = h('form', { dataset: { incident: inc.id } },
    h('div', { class: 'row' }, h('label', { for: sel + '-to' }, t('review.move_to')),
      h('select', { id: sel + '-to', name: 'status' }, (moves[inc.status] || []).map((m) => h('option', { value: m }, statusLabel(m))))),
    h('div', { class: 'row grow' }, h('label', { for: sel + '-reason' }, t('review.reason')),
      h('input', { type: 'text', id: sel + '-reason', name: 'reason', required: true, maxlength: '5000', autocomplete: 'off' })),
    h('button', { type: 'submit' }, t('review.move')), msg);
  const li = h('li', { dataset: { incident: inc.id, status: inc.status } },
    h('p', null, h('a', { href: '/incidents/' + encodeURIComponent(inc.id), translate: 'no' }, h('strong', null, inc.id)), ' ', statusBadge(inc.status), ' ', outcomeBadge(inc.outcome),
      inc.published ? null : [' ', h('span', { class: 'badge unpublished' }, t('unpublished'))],
      ` ${fmtTime(inc.start, tz)}`, inc.parties && inc.parties.length ? t('review.accused', { Parties: inc.parties.map((p) => partyName(ag, p)).join(', ') }) : '',
      inc.submitted_by ? t('review.submitted_by', { Party: inc.submitted_by }) : '', ' · ' + tn('map.reports', inc.reports || 1)),
    h('p', { class: 'explanation' }, inc.explanation || t('review.not_judged')), form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = form.querySelector('button');
    btn.disabled = true;
    clear(msg);
    try {
      const ev = await api(`/api/v1/incidents/${encodeURIComponent(inc.id)}/status`, { method: 'POST', body: { status: form.status.value, reason: form.reason.value } });
      inc.status = ev.to;
      li.dataset.status = ev.to;
      const done = `${inc.id} moved to ${statusLabel(ev.to)}.`;
      clear(li).append(h('p', null, h('a', { href: '/incidents/' + encodeURIComponent(inc.id) }, h('strong', null, inc.id)), ' ', statusBadge(ev.to), ' ', done));
      if (moves[ev.to]) {
        const again = item(inc);
        li.replaceWith(again);
        again.querySelector('p').append(h('span', { class: 'ok' }, ' ' + done));
      }
      announce(done);
    } catch (err) {
      msg.append(errorNotice(err.message));
      btn.disabled = false;
    }
  });
  return li;
}

function query(cursor) {
  const q = new URLSearchParams({ status: el('queue-status').value, limit: '50' });
  if (el('queue-from').value) q.set('from', dayStart(el('queue-from').value, tz));
  if (el('queue-to').value) q.set('to', dayStart(addDays(el('queue-to').value, 1), tz));
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

async function load(append) {
  const ul = el('queue');
  ul.dataset.state = 'loading';
  el('queue-message').textContent = t('loading');
  try {
    const page = await api('/api/v1/incidents?' + query(append ? next : ''));
    if (!append) clear(ul);
    ul.append(...page.incidents.map(item));
    next = page.next || '';
    el('queue-more').hidden = !next;
    const n = ul.children.length;
    el('queue-message').textContent = n ? tn('review.count', n, { Status: statusLabel(el('queue-status').value).toLowerCase(), More: next ? t('review.more_below') : '' }) : t('review.empty');
    ul.dataset.state = 'ready';
  } catch (e) {
    ul.dataset.state = 'error';
    clear(el('queue-message')).append(errorNotice(t('review.load_failed', { Error: e.message })));
  }
}

async function init() {
  ag = await agreement().catch(() => null);
  tz = (ag && ag.timezone) || 'UTC';
  const params = new URLSearchParams(location.search);
  if (params.get('status')) el('queue-status').value = params.get('status');
  el('queue-from').value = params.get('from') || '';
  el('queue-to').value = params.get('to') || '';
  el('queue-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ status: el('queue-status').value });
    if (el('queue-from').value) q.set('from', el('queue-from').value);
    if (el('queue-to').value) q.set('to', el('queue-to').value);
    history.replaceState(null, '', '?' + q.toString());
    load(false);
  });
  el('queue-more').addEventListener('click', () => load(true));
  await load(false);
}

init();
