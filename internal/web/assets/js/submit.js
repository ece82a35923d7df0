// The submission form (POST /api/v1/reports): a party's liaison officer
// or a monitor reports one incident; it is judged at once.
import { h, clear, api, announce, agreement, viewer, outcomeBadge, errorNotice, t, nameOf } from './common.js';

const el = (x) => document.getElementById(x);
const actions = ['attack', 'strike', 'air_strike', 'drone_attack', 'missile_attack', 'shelling', 'naval_attack', 'ground_attack', 'sabotage', 'seizure'];
const actionName = (a) => t('submit.action.' + a);

// localTime turns the datetime-local value into an RFC 3339 instant with
// the browser's offset, or a date for day precision.
function localTime(value, dayOnly) {
  if (dayOnly) return value.slice(0, 10);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${value.length === 16 ? value + ':00' : value}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

async function init() {
  const ag = await agreement().catch(() => null);
  for (const p of ag ? ag.parties.filter((x) => !x.mediator) : []) el('r-perp').append(h('option', { value: p.id }, `${nameOf(p)} (${p.id})`));
  clear(el('r-actions')).append(...actions.map((a) => h('label', null, h('input', { type: 'checkbox', name: 'actions', value: a }), actionName(a))));
  const form = el('report-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = clear(el('r-result'));
    if (!form.reportValidity()) return;
    const body = {
      time: localTime(form.time.value, el('r-day').checked),
      lat: Number(form.lat.value),
      lon: Number(form.lon.value),
    };
    if (el('r-day').checked) body.time_precision = 'day';
    if (form.location_precision_m.value) body.location_precision_m = Number(form.location_precision_m.value);
    if (form.place.value.trim()) body.place = form.place.value.trim();
    if (form.perpetrator.value) body.perpetrator = form.perpetrator.value;
    const acts = [...form.querySelectorAll('input[name=actions]:checked')].map((x) => x.value);
    if (acts.length) body.actions = acts;
    if (form.category.value.trim()) body.category = form.category.value.trim();
    if (form.text.value.trim()) body.text = form.text.value.trim();
    if (form.fatalities.value) body.fatalities = Number(form.fatalities.value);
    const btn = el('r-submit');
    btn.disabled = true;
    try {
      const rep = await api('/api/v1/reports', { method: 'POST', body });
      const link = '/incidents/' + encodeURIComponent(rep.incident);
      out.append(h('div', { class: 'notice', id: 'r-created', dataset: { report: rep.id, incident: rep.incident } },
        h('p', null, h('strong', null, t('submit.stored', { ID: rep.id })), t('submit.in_incident'), h('a', { href: link, id: 'r-incident-link' }, rep.incident), '.'),
        rep.judgement ? h('p', null, t('submit.judged'), ' ', outcomeBadge(rep.judgement.outcome), ' ', rep.judgement.explanation) : null,
        viewer.role === 'party' ? h('p', null, t('submit.unpublished')) : null));
      form.reset();
      announce(t('submit.stored', { ID: rep.id }));
    } catch (err) {
      out.append(errorNotice(t('submit.failed', { Error: err.message })));
    } finally {
      btn.disabled = false;
    }
  });
}

init();
