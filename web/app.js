// Haven in the browser: sign-in, the header and navigation, and hash routing to the views.

import { h, replace, clear } from './dom.js';
import * as api from './api.js';
import { renderSignIn } from './views/signin.js';

const NAV = [
  { id: 'chat', label: 'Chat' },
  { id: 'files', label: 'Files' },
  { id: 'sharing', label: 'Sharing', ownerOnly: true },
  { id: 'audit', label: 'Audit', ownerOnly: true },
  { id: 'agents', label: 'Agents' },
  { id: 'models', label: 'Models' },
  { id: 'peers', label: 'Peers', ownerOnly: true },
  { id: 'market', label: 'Market', ownerOnly: true },
  { id: 'sessions', label: 'Sessions' },
];

const VIEWS = {
  chat: () => import('./views/chat.js'),
  files: () => import('./views/files.js'),
  sharing: () => import('./views/sharing.js'),
  audit: () => import('./views/audit.js'),
  agents: () => import('./views/agents.js'),
  models: () => import('./views/models.js'),
  peers: () => import('./views/peers.js'),
  market: () => import('./views/market.js'),
  sessions: () => import('./views/sessions.js'),
};

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const principalEl = document.getElementById('principal');
const menuButton = document.getElementById('menu-button');
const statusEl = document.getElementById('status');
const alertEl = document.getElementById('alert');

const state = {
  session: null,
  cleanup: null,
  renderToken: 0,
  rendering: 0,
};

// --- Announcements ---------------------------------------------------------------------------

let statusTimer = null;
/** A polite status line ("Saved", "Revoked — …"). */
export function announce(message) {
  clearTimeout(statusTimer);
  statusEl.textContent = message;
  statusEl.classList.add('visible');
  statusTimer = setTimeout(() => {
    statusEl.classList.remove('visible');
  }, 6000);
}

/** An error for the whole page (the server's message). */
export function showAlert(message) {
  replace(alertEl,
    h('span', { class: 'alert-text', testid: 'alert-text' }, message),
    h('button', { type: 'button', class: 'small', 'aria-label': 'Dismiss message', onclick: clearAlert }, 'Dismiss'));
  alertEl.classList.add('visible');
}

export function clearAlert() {
  clear(alertEl);
  alertEl.classList.remove('visible');
}

// --- Session ---------------------------------------------------------------------------------

function isOwner() {
  return state.session && state.session.principal === 'owner';
}

function buildNav() {
  const list = h('ul', { class: 'nav-list' });
  for (const item of NAV) {
    const link = h('a', { href: '#/' + item.id, testid: 'nav-' + item.id, class: 'nav-link' }, item.label);
    const li = h('li', null, link);
    // Owner-only pages are not offered to anyone else (the server refuses them anyway).
    if (item.ownerOnly && !isOwner()) li.hidden = true;
    list.appendChild(li);
  }
  replace(nav, list);
}

function showChrome(signedIn) {
  nav.hidden = !signedIn;
  who.hidden = !signedIn;
  menuButton.hidden = !signedIn;
  document.body.classList.toggle('signed-in', signedIn);
  setMenu(false);
}

function setMenu(open) {
  menuButton.setAttribute('aria-expanded', open ? 'true' : 'false');
  document.body.classList.toggle('menu-open', open);
}

menuButton.addEventListener('click', () => {
  setMenu(menuButton.getAttribute('aria-expanded') !== 'true');
});

function teardownView() {
  if (state.cleanup) {
    try { state.cleanup(); } catch { /* a view's cleanup must not stop navigation */ }
    state.cleanup = null;
  }
}

function signedIn(session) {
  state.session = session;
  api.setSignedIn(true);
  principalEl.textContent = session.principal;
  buildNav();
  showChrome(true);
  clearAlert();
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/chat');
  route();
}

function showSignIn(message, kind = 'info') {
  teardownView();
  state.session = null;
  api.setSignedIn(false);
  principalEl.textContent = '';
  clear(nav);
  showChrome(false);
  clearAlert();
  document.title = 'Sign in — Haven';
  renderSignIn(main, { message, kind, onSignedIn: signedIn });
}

api.onUnauthorized(() => {
  showSignIn('Your session ended — sign in again', 'warning');
});

document.getElementById('signout-button').addEventListener('click', async () => {
  try {
    await api.del('/haven/session');
  } catch (error) {
    if (error.status !== 401) {
      showAlert(error.message);
      return;
    }
  }
  showSignIn('You signed out.');
});

// --- Routing ---------------------------------------------------------------------------------

function parseRoute() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : 'chat';
  const [pathPart, query = ''] = hash.split('?');
  const slash = pathPart.indexOf('/');
  const view = slash < 0 ? pathPart : pathPart.slice(0, slash);
  const rest = slash < 0 ? '' : pathPart.slice(slash + 1);
  return { view: view || 'chat', rest, query: new URLSearchParams(query) };
}

async function route() {
  if (!state.session) return;
  const { view, rest, query } = parseRoute();
  const token = ++state.renderToken;
  teardownView();
  setMenu(false);
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === '#/' + view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const loader = VIEWS[view];
  if (!loader) {
    replace(main, h('section', { class: 'view' }, h('h1', null, 'Not found'),
      h('p', null, 'There is no page here. '), h('a', { href: '#/chat' }, 'Go to the chat')));
    return;
  }
  const item = NAV.find((n) => n.id === view);
  document.title = `${item ? item.label : view} — Haven`;
  let module;
  try {
    module = await loader();
  } catch (error) {
    showAlert('This page could not be loaded: ' + error.message);
    return;
  }
  if (token !== state.renderToken || !state.session) return;
  const container = h('section', { class: 'view view-' + view, testid: 'view-' + view });
  replace(main, container);
  const ctx = {
    session: state.session,
    isOwner: isOwner(),
    rest,
    query,
    announce,
    showAlert,
    clearAlert,
    signOut: () => showSignIn('You signed out.'),
    // Whether this view is still the one navigated to: false from the moment the address
    // changes, even while the next view is still loading.
    current: () => token === state.renderToken && state.session !== null,
  };
  let cleanup = null;
  // Renders still loading, this one and any a navigation left behind: while one runs, the view
  // is busy (for assistive technology), and `data-renders` says how many (for tests).
  state.rendering += 1;
  main.dataset.renders = String(state.rendering);
  main.setAttribute('aria-busy', 'true');
  try {
    cleanup = (await module.render(container, ctx)) || null;
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 401) && token === state.renderToken) showAlert(error.message);
  } finally {
    state.rendering -= 1;
    main.dataset.renders = String(state.rendering);
    if (state.rendering === 0) main.removeAttribute('aria-busy');
  }
  if (token !== state.renderToken) {
    // Navigated elsewhere while this view was still loading: it ends now, and never
    // replaces the cleanup of the view that is shown.
    if (cleanup) {
      try { cleanup(); } catch { /* as in teardownView */ }
    }
    return;
  }
  state.cleanup = cleanup;
}

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#login=')) {
    start();
    return;
  }
  if (!location.hash.startsWith('#/')) return;
  route();
});

document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  const target = main.querySelector('h1, h2, [data-autofocus]');
  main.focus();
  if (target && target.tabIndex >= 0) target.focus();
});

// --- Start -----------------------------------------------------------------------------------

async function start() {
  if (location.hash.startsWith('#login=')) {
    const code = decodeURIComponent(location.hash.slice('#login='.length));
    // The code leaves the address bar (and history) before anything else happens.
    history.replaceState(null, '', location.pathname + location.search);
    replace(main, h('p', { class: 'loading' }, 'Signing in…'));
    try {
      const session = await api.post('/haven/session', { code });
      history.replaceState(null, '', '#/chat');
      signedIn(session);
    } catch (error) {
      showSignIn(error.message, 'error');
    }
    return;
  }
  try {
    const session = await api.get('/haven/session');
    signedIn(session);
  } catch (error) {
    if (error.status === 401) showSignIn();
    else showSignIn(error.message, 'error');
  }
}

start();
