// Sessions: where you are signed in; revoke any of them (the current one signs you out).

import { h, replace, formatDate, table, confirmInline } from '../dom.js';
import * as api from '../api.js';

/** A short name for a User-Agent string ("Chrome 156 on Linux"); the whole string is in the tooltip. */
function browserName(agent) {
  if (!agent) return '';
  const browser = [['Edg/', 'Edge'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Version/', 'Safari']]
    .map(([marker, name]) => {
      const at = agent.indexOf(marker);
      return at < 0 ? null : `${name} ${agent.slice(at + marker.length).split(/[ .]/)[0]}`;
    }).find(Boolean);
  const system = ['Android', 'iPhone', 'iPad', 'Windows', 'Mac OS X', 'Linux'].find((os) => agent.includes(os));
  return [browser || agent.slice(0, 30), system ? 'on ' + system.replace('Mac OS X', 'macOS') : null].filter(Boolean).join(' ');
}

/** When a session ends: at the end of its life, or sooner if left idle. */
function endOf(session) {
  const ends = [session.expires_at, session.idle_expires_at].filter(Boolean).sort((a, b) => new Date(a) - new Date(b));
  return ends[0];
}

export async function render(container, ctx) {
  const listBox = h('div');
  replace(container,
    h('div', { class: 'view-head' }, h('h1', null, 'Sessions')),
    h('p', { class: 'lead' }, ctx.isOwner
      ? 'Every browser signed in to this Haven. Revoking one signs it out on its next request.'
      : 'Where you are signed in.'),
    listBox);

  async function load() {
    try {
      const list = (await api.get('/haven/sessions')).sessions || [];
      replace(listBox, table([
        {
          title: 'Session', cell: (s) => h('span', null, h('span', { class: 'mono', title: s.id }, s.id.slice(0, 12) + '…'),
            s.current ? [' ', h('span', { class: 'badge ok', testid: 'session-current' }, 'this session')] : null),
        },
        { title: 'Who', cell: (s) => h('span', { class: 'mono' }, s.principal) },
        { title: 'Token', cell: (s) => s.token || '' },
        { title: 'Browser', cell: (s) => h('span', { class: 'ellipsis', title: s.user_agent || '' }, browserName(s.user_agent)) },
        { title: 'Signed in', cell: (s) => formatDate(s.created_at) },
        { title: 'Last seen', cell: (s) => formatDate(s.last_seen_at) },
        { title: 'Ends', cell: (s) => formatDate(endOf(s)) },
        { title: 'State', cell: (s) => (s.revoked_at ? h('span', { class: 'badge bad' }, 'revoked') : h('span', { class: 'badge ok' }, 'active')) },
        {
          title: 'Actions', class: 'actions', cell: (s) => (s.revoked_at ? '' : h('button', {
            type: 'button', class: 'small danger', testid: 'session-revoke',
            'aria-label': s.current ? 'Revoke this session (signs you out)' : 'Revoke session ' + s.id,
            onclick: (event) => confirmInline(event.target.parentElement,
              s.current ? 'Revoke this session? You will be signed out.' : 'Revoke this session?', 'Revoke', async () => {
                try {
                  await api.del('/haven/sessions/' + encodeURIComponent(s.id));
                  if (s.current) {
                    ctx.signOut();
                    return;
                  }
                  ctx.announce('Revoked — takes effect on the next request');
                  await load();
                } catch (error) {
                  if (error.status !== 401) ctx.showAlert(error.message);
                }
              }),
          }, s.current ? 'Sign out here' : 'Revoke')),
        },
      ], list, {
        testid: 'sessions-table', caption: 'Sessions',
        rowProps: (s) => ({ testid: 'session-row', 'data-id': s.id, 'data-current': s.current ? 'true' : 'false', class: s.current ? 'current' : null }),
      }));
    } catch (error) {
      replace(listBox, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, error.message));
    }
  }
  await load();
}
