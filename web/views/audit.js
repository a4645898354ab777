// Audit: every decision on data, newest first, filtered by path, principal and outcome; and a
// check of the hash chain.

import { h, replace, formatDate, table, uid } from '../dom.js';
import * as api from '../api.js';

function labelled(text, input) {
  if (!input.id) input.id = uid('f');
  return h('div', { class: 'field' }, h('label', { for: input.id }, text), input);
}

export async function render(container, ctx) {
  const path = h('input', { type: 'text', testid: 'audit-path', placeholder: '/photos/', autocomplete: 'off', value: ctx.query.get('path') || '' });
  const principal = h('input', { type: 'text', testid: 'audit-principal', placeholder: 'app:NAME', autocomplete: 'off', value: ctx.query.get('principal') || '' });
  const outcome = h('select', { testid: 'audit-outcome' },
    h('option', { value: '' }, 'Allowed and denied'),
    h('option', { value: 'allowed' }, 'Allowed only'),
    h('option', { value: 'denied' }, 'Denied only'));
  outcome.value = ctx.query.get('outcome') || '';
  const limit = h('select', { testid: 'audit-limit' }, ['50', '100', '500', '1000'].map((n) => h('option', { value: n }, n)));
  limit.value = '100';
  const form = h('form', { class: 'filter-form', testid: 'audit-filters', 'aria-label': 'Filter the audit log' },
    labelled('Path', path), labelled('Principal', principal), labelled('Outcome', outcome), labelled('Entries', limit),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary', testid: 'audit-apply' }, 'Show')));
  const verify = h('button', { type: 'button', testid: 'audit-verify' }, 'Verify chain');
  const verifyResult = h('div', { class: 'verify-result', testid: 'audit-verify-result', role: 'status' });
  const listBox = h('div', { class: 'audit-list', testid: 'audit-list' });
  replace(container,
    h('div', { class: 'view-head' }, h('h1', null, 'Audit'), h('div', { class: 'head-actions' }, verify)),
    verifyResult,
    h('p', { class: 'lead' }, 'Every request on your data, allowed or denied, in a hash-chained log.'),
    form, listBox);

  async function load() {
    const params = new URLSearchParams();
    if (path.value.trim()) params.set('path', path.value.trim());
    if (principal.value.trim()) params.set('principal', principal.value.trim());
    if (outcome.value) params.set('decision', outcome.value);
    params.set('limit', limit.value);
    replace(listBox, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const answer = await api.get('/haven/audit?' + params.toString());
      const entries = answer.entries || [];
      if (!entries.length) {
        replace(listBox, h('p', { class: 'muted', testid: 'audit-empty' }, 'No entries match.'));
        return;
      }
      replace(listBox, table([
        { title: '#', class: 'num', cell: (e) => String(e.sequence) },
        { title: 'Time', cell: (e) => formatDate(e.time) },
        { title: 'Who', cell: (e) => h('span', { class: 'mono' }, e.principal) },
        { title: 'Action', cell: (e) => e.action },
        { title: 'Path', cell: (e) => h('code', { class: 'wrap' }, e.resource) },
        { title: 'Outcome', cell: (e) => h('span', { class: e.allowed ? 'badge ok' : 'badge bad' }, e.allowed ? 'allowed' : 'denied') },
        { title: 'Why', cell: (e) => h('span', { class: 'wrap' }, e.reason + (e.basis ? ` (${e.basis})` : '')) },
      ], entries, {
        testid: 'audit-table', caption: 'Audit entries',
        rowProps: (e) => ({ testid: 'audit-row', 'data-allowed': e.allowed ? 'true' : 'false', 'data-sequence': e.sequence }),
      }));
    } catch (error) {
      replace(listBox, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, error.message));
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (path.value.trim()) params.set('path', path.value.trim());
    if (principal.value.trim()) params.set('principal', principal.value.trim());
    if (outcome.value) params.set('outcome', outcome.value);
    const query = params.toString();
    history.replaceState(null, '', '#/audit' + (query ? '?' + query : ''));
    load();
  });

  verify.addEventListener('click', async () => {
    verify.disabled = true;
    replace(verifyResult, h('p', { class: 'muted' }, 'Verifying…'));
    try {
      const result = await api.get('/haven/audit/verify');
      if (result.intact) {
        replace(verifyResult, h('p', { class: 'verify ok', testid: 'audit-verify-ok' },
          h('strong', null, 'Chain verified'), ` — all ${result.entries} entries are intact.`));
      } else {
        const problem = result.problem || {};
        replace(verifyResult, h('p', { class: 'verify bad', role: 'alert', testid: 'audit-verify-bad' },
          h('strong', null, 'Chain broken'), ` at entry #${problem.sequence}: ${problem.reason || 'unknown problem'} (${result.entries} entries checked).`));
      }
    } catch (error) {
      replace(verifyResult, h('p', { class: 'form-error', role: 'alert' }, error.message));
    } finally {
      verify.disabled = false;
    }
  });

  await load();
}
