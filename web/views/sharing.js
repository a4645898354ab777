// Sharing: grants (rights for apps and peers), API tokens, and capability shares for people
// outside this server. Every list and form shows the server's own refusal when there is one.

import { h, replace, clear, formatDate, isoSeconds, table, copyButton, confirmInline, uid } from '../dom.js';
import * as api from '../api.js';

const DATA_RIGHTS = ['read', 'list', 'write', 'append', 'delete', 'share', 'ai'];
const REVOKED = 'Revoked — takes effect on the next request';

// A Revoke button that asks in the page, revokes, says the revocation holds from the next
// request, and reloads the list.
function revokeButton(ctx, load, { testid, label, question, url }) {
  return h('button', {
    type: 'button', class: 'small danger', testid, 'aria-label': label,
    onclick: (event) => confirmInline(event.target.parentElement, question, 'Revoke', async () => {
      try {
        await api.del(url);
        ctx.announce(REVOKED);
        await load();
      } catch (failure) {
        ctx.showAlert(failure.message);
      }
    }),
  }, 'Revoke');
}

function rightsBoxes(prefix, rights, legend) {
  const boxes = rights.map((right) => {
    const input = h('input', { type: 'checkbox', value: right, id: uid(prefix), testid: `${prefix}-right-${right}` });
    return { right, input, label: h('label', { class: 'check' }, input, ' ', right) };
  });
  const fieldset = h('fieldset', { class: 'rights' }, h('legend', null, legend), boxes.map((b) => b.label));
  return { fieldset, selected: () => boxes.filter((b) => b.input.checked).map((b) => b.right), reset: () => boxes.forEach((b) => { b.input.checked = false; }) };
}

function expiry(input) {
  if (!input.value) return undefined;
  const date = new Date(input.value);
  return Number.isNaN(date.getTime()) ? undefined : isoSeconds(date);
}

function labelled(text, input) {
  if (!input.id) input.id = uid('f');
  return h('div', { class: 'field' }, h('label', { for: input.id }, text), input);
}

function secretBox(testid, title, secret, note) {
  return h('div', { class: 'secret', role: 'status', testid: testid + '-box' },
    h('p', null, h('strong', null, title), ' ', note),
    h('div', { class: 'secret-row' },
      h('code', { class: 'secret-value', testid }, secret),
      copyButton(() => secret, 'Copy', 'Copy ' + title)));
}

function state(record) {
  if (record.revoked_at) return h('span', { class: 'badge bad' }, 'revoked');
  if (record.expires_at && new Date(record.expires_at) <= new Date()) return h('span', { class: 'badge' }, 'expired');
  return h('span', { class: 'badge ok' }, 'active');
}

export async function render(container, ctx) {
  const grants = h('section', { class: 'panel', 'aria-labelledby': 'grants-title', testid: 'grants-section' });
  const tokens = h('section', { class: 'panel', 'aria-labelledby': 'tokens-title', testid: 'tokens-section' });
  const shares = h('section', { class: 'panel', 'aria-labelledby': 'shares-title', testid: 'shares-section' });
  replace(container,
    h('div', { class: 'view-head' }, h('h1', null, 'Sharing')),
    h('p', { class: 'lead' }, 'Who may do what with your data and models. Every right can be revoked at any moment.'),
    grants, tokens, shares);
  await Promise.all([renderGrants(grants, ctx), renderTokens(tokens, ctx), renderShares(shares, ctx)]);
}

// --- Grants ------------------------------------------------------------------------------------

async function renderGrants(section, ctx) {
  const to = h('input', { type: 'text', testid: 'grant-to', placeholder: 'app:NAME or peer:NAME', required: true, autocomplete: 'off', list: 'grant-principals' });
  const principals = h('datalist', { id: 'grant-principals' });
  const path = h('input', { type: 'text', testid: 'grant-path', placeholder: '/photos/', autocomplete: 'off' });
  const model = h('input', { type: 'text', testid: 'grant-model', placeholder: 'every model', autocomplete: 'off' });
  const expires = h('input', { type: 'datetime-local', testid: 'grant-expires' });
  const purpose = h('input', { type: 'text', testid: 'grant-purpose', placeholder: 'photo frame', autocomplete: 'off' });
  const rights = rightsBoxes('grant', [...DATA_RIGHTS, 'infer'], 'Rights');
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'grant-error' });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'grant-submit' }, 'Give grant');
  const form = h('form', { class: 'grid-form', testid: 'grant-form', 'aria-label': 'Give a grant' },
    labelled('To (principal)', to), principals,
    labelled('Path (for rights on data)', path),
    rights.fieldset,
    labelled('Model (for infer; empty means every model)', model),
    labelled('Expires (optional)', expires),
    labelled('Purpose (optional)', purpose),
    h('div', { class: 'form-actions' }, submit), error);
  const showRevoked = h('input', { type: 'checkbox', id: 'grants-all', testid: 'grants-show-revoked' });
  const listBox = h('div', { testid: 'grant-list-box' });
  replace(section,
    h('h2', { id: 'grants-title' }, 'Grants'),
    h('p', { class: 'hint' }, 'A grant gives an app or a peer rights on a path (and everything below it), or the right to use models.'),
    form,
    h('div', { class: 'list-head' }, h('h3', null, 'Current grants'),
      h('label', { class: 'check' }, showRevoked, ' Show revoked and expired')),
    listBox);

  async function load() {
    try {
      const answer = await api.get('/haven/grants' + (showRevoked.checked ? '?all=true' : ''));
      const list = answer.grants || [];
      if (!list.length) {
        replace(listBox, h('p', { class: 'muted', testid: 'grant-list' }, 'No grants.'));
        return;
      }
      replace(listBox, table([
        { title: 'To', cell: (g) => h('span', { class: 'mono' }, g.principal) },
        { title: 'Rights', cell: (g) => g.rights.join(', ') },
        { title: 'On', cell: (g) => h('code', null, g.resource) },
        { title: 'Purpose', cell: (g) => g.purpose || '' },
        { title: 'Expires', cell: (g) => (g.expires_at ? formatDate(g.expires_at) : 'never') },
        { title: 'State', cell: state },
        {
          title: 'Actions', class: 'actions', cell: (g) => (g.revoked_at ? '' : revokeButton(ctx, load, {
            testid: 'grant-revoke', label: `Revoke grant ${g.id} for ${g.principal}`,
            question: `Revoke ${g.rights.join(', ')} for ${g.principal}?`, url: '/haven/grants/' + encodeURIComponent(g.id),
          })),
        },
      ], list, { testid: 'grant-list', caption: 'Grants', rowProps: (g) => ({ testid: 'grant-row', 'data-id': g.id }) }));
    } catch (failure) {
      replace(listBox, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, failure.message));
      form.hidden = failure.status === 403;
    }
  }

  showRevoked.addEventListener('change', load);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const selected = rights.selected();
    const body = { to: to.value.trim(), rights: selected };
    if (selected.includes('infer')) {
      if (model.value.trim()) body.model = model.value.trim();
      if (path.value.trim()) body.path = path.value.trim();
    } else if (path.value.trim()) {
      body.path = path.value.trim();
    }
    const expiresAt = expiry(expires);
    if (expiresAt) body.expires_at = expiresAt;
    if (purpose.value.trim()) body.purpose = purpose.value.trim();
    submit.disabled = true;
    try {
      const grant = await api.post('/haven/grants', body);
      ctx.announce(`Granted ${grant.rights.join(', ')} on ${grant.resource} to ${grant.principal}`);
      form.reset();
      await load();
    } catch (failure) {
      error.textContent = failure.message;
    } finally {
      submit.disabled = false;
    }
  });

  // Suggest the app principals that hold tokens.
  api.get('/haven/tokens').then((answer) => {
    clear(principals);
    for (const token of answer.tokens || []) {
      if (token.principal !== 'owner') principals.appendChild(h('option', { value: token.principal }));
    }
  }).catch(() => {});
  await load();
}

// --- Tokens ------------------------------------------------------------------------------------

async function renderTokens(section, ctx) {
  const name = h('input', { type: 'text', testid: 'token-name', placeholder: 'laptop', required: true, autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'token-error' });
  const secret = h('div', { class: 'secret-slot' });
  const form = h('form', { class: 'inline-form', testid: 'token-form', 'aria-label': 'Create an API token' },
    labelled('Name of the app or device', name),
    h('button', { type: 'submit', class: 'primary', testid: 'token-create' }, 'Create token'));
  const listBox = h('div');
  replace(section,
    h('h2', { id: 'tokens-title' }, 'API tokens'),
    h('p', { class: 'hint' }, 'A new token belongs to app:NAME and holds no rights until you give it a grant.'),
    form, error, secret, listBox);

  async function load() {
    try {
      const list = (await api.get('/haven/tokens')).tokens || [];
      replace(listBox, table([
        { title: 'Name', cell: (t) => t.name },
        { title: 'Principal', cell: (t) => h('span', { class: 'mono' }, t.principal) },
        { title: 'Created', cell: (t) => formatDate(t.created_at) },
        { title: 'State', cell: state },
        {
          title: 'Actions', class: 'actions', cell: (t) => (t.revoked_at ? '' : revokeButton(ctx, load, {
            testid: 'token-revoke', label: 'Revoke token ' + t.name,
            question: t.principal === 'owner'
              ? `Revoke the owner's token ${t.name}? The command line and everything else using it stop working.`
              : `Revoke the token ${t.name}?`,
            url: '/haven/tokens/' + encodeURIComponent(t.name),
          })),
        },
      ], list, { testid: 'token-list', caption: 'API tokens', rowProps: (t) => ({ testid: 'token-row', 'data-name': t.name }) }));
    } catch (failure) {
      replace(listBox, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, failure.message));
      form.hidden = failure.status === 403;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    clear(secret);
    try {
      const created = await api.post('/haven/tokens', { name: name.value.trim() });
      secret.appendChild(secretBox('token-secret', `Token for ${created.info.name}:`, created.token,
        'Copy it now: it is shown only this once.'));
      name.value = '';
      await load();
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  await load();
}

// --- Shares ------------------------------------------------------------------------------------

async function renderShares(section, ctx) {
  const path = h('input', { type: 'text', testid: 'share-path', placeholder: '/photos/trip/', required: true, autocomplete: 'off' });
  const to = h('input', { type: 'text', testid: 'share-to', placeholder: 'did:key:z6Mk…', required: true, autocomplete: 'off' });
  const expires = h('input', { type: 'datetime-local', testid: 'share-expires' });
  const rights = rightsBoxes('share', DATA_RIGHTS, 'Rights');
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'share-error' });
  const secret = h('div', { class: 'secret-slot' });
  const form = h('form', { class: 'grid-form', testid: 'share-form', 'aria-label': 'Share with someone outside this server' },
    labelled('Path', path), labelled('To (their did:key)', to), rights.fieldset, labelled('Expires (optional)', expires),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary', testid: 'share-create' }, 'Create share')), error);
  const showRevoked = h('input', { type: 'checkbox', testid: 'shares-show-revoked' });
  const listBox = h('div');
  replace(section,
    h('h2', { id: 'shares-title' }, 'Shares'),
    h('p', { class: 'hint' }, 'A share is a signed capability token for someone outside this server, named by their did:key.'),
    form, secret,
    h('div', { class: 'list-head' }, h('h3', null, 'Shares you made'),
      h('label', { class: 'check' }, showRevoked, ' Show revoked')),
    listBox);

  async function load() {
    try {
      const list = (await api.get('/haven/shares' + (showRevoked.checked ? '?all=true' : ''))).shares || [];
      if (!list.length) {
        replace(listBox, h('p', { class: 'muted', testid: 'share-list' }, 'No shares.'));
        return;
      }
      replace(listBox, table([
        { title: 'To', cell: (s) => h('span', { class: 'mono ellipsis', title: s.audience }, s.audience) },
        { title: 'Grants', cell: (s) => (s.capabilities || []).map((c) => `${c.can} ${c.with}`).join(', ') },
        { title: 'Created', cell: (s) => formatDate(s.created_at) },
        { title: 'Expires', cell: (s) => (s.expires_at ? formatDate(s.expires_at) : 'never') },
        { title: 'State', cell: state },
        {
          title: 'Actions', class: 'actions', cell: (s) => (s.revoked_at ? '' : revokeButton(ctx, load, {
            testid: 'share-revoke', label: 'Revoke share ' + s.id,
            question: 'Revoke this share and every token delegated from it?', url: '/haven/shares/' + encodeURIComponent(s.id),
          })),
        },
      ], list, { testid: 'share-list', caption: 'Shares', rowProps: (s) => ({ testid: 'share-row', 'data-id': s.id }) }));
    } catch (failure) {
      replace(listBox, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, failure.message));
      form.hidden = failure.status === 403;
    }
  }

  showRevoked.addEventListener('change', load);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    clear(secret);
    const body = { path: path.value.trim(), to: to.value.trim(), rights: rights.selected() };
    const expiresAt = expiry(expires);
    if (expiresAt) body.expires_at = expiresAt;
    try {
      const created = await api.post('/haven/shares', body);
      secret.appendChild(secretBox('share-token', 'Capability token:', created.token,
        'Send it to them now: it is shown only this once.'));
      form.reset();
      await load();
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  await load();
}
