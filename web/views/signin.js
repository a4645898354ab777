// The sign-in form: an API token, exchanged for a session cookie.

import { h, replace } from '../dom.js';
import * as api from '../api.js';

export function renderSignIn(container, { message, kind = 'info', onSignedIn }) {
  const input = h('input', {
    id: 'token-input', type: 'password', name: 'token', autocomplete: 'current-password',
    required: true, spellcheck: 'false', testid: 'token-input', 'aria-describedby': 'token-hint',
  });
  const button = h('button', { type: 'submit', class: 'primary', testid: 'signin-button' }, 'Sign in');
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'signin-error', id: 'signin-error' });
  const notice = message
    ? h('p', { class: 'notice notice-' + kind, testid: 'signin-message', role: kind === 'info' ? 'status' : 'alert' }, message)
    : null;

  const form = h('form', { class: 'signin-form', testid: 'signin-form', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Haven'),
    notice,
    h('div', { class: 'field' },
      h('label', { for: 'token-input' }, 'API token'),
      input,
      h('small', { class: 'hint', id: 'token-hint' },
        'Paste a token (hvn_…), or run ', h('code', null, 'haven open'), ' on the server for a sign-in link.')),
    button,
    error);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const token = input.value.trim();
    if (!token) {
      error.textContent = 'Enter a token.';
      input.focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      const session = await api.post('/haven/session', { token });
      input.value = '';
      onSignedIn(session);
    } catch (failure) {
      error.textContent = failure.message;
      input.select();
      input.focus();
    } finally {
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  });

  replace(container, h('section', { class: 'view view-signin', testid: 'view-signin' }, form));
  input.focus();
}
