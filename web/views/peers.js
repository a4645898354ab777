// Peers: other Havens this one knows, mirrors of their folders, and the inbox.

import { h, replace, formatBytes, formatDate, table } from '../dom.js';
import * as api from '../api.js';

export async function render(container, ctx) {
  const peersBox = h('div');
  const mirrorsBox = h('div');
  const inboxBox = h('div');
  replace(container,
    h('div', { class: 'view-head' }, h('h1', null, 'Peers')),
    h('p', { class: 'lead' }, 'Other people’s Havens, proven by their keys. Add them with ', h('code', null, 'haven peer add'), '.'),
    h('section', { class: 'panel', 'aria-labelledby': 'peers-title' }, h('h2', { id: 'peers-title' }, 'Peers'), peersBox),
    h('section', { class: 'panel', 'aria-labelledby': 'mirrors-title' }, h('h2', { id: 'mirrors-title' }, 'Mirrors'), mirrorsBox),
    h('section', { class: 'panel', 'aria-labelledby': 'inbox-title' }, h('h2', { id: 'inbox-title' }, 'Inbox'), inboxBox));

  const failed = (box, error) => replace(box, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, error.message));
  const [peers, mirrors, inbox] = await Promise.allSettled([
    api.get('/haven/peers'), api.get('/haven/mirrors'), api.get('/haven/inbox')]);
  const names = new Map();
  if (peers.status === 'fulfilled') {
    const list = peers.value.peers || [];
    for (const p of list) names.set(p.did, p.name);
    replace(peersBox, list.length ? table([
      { title: 'Name', cell: (p) => p.name },
      { title: 'Address', cell: (p) => h('span', { class: 'mono' }, p.url) },
      { title: 'Key', cell: (p) => h('span', { class: 'mono ellipsis', title: p.did }, p.did) },
      { title: 'Added', cell: (p) => formatDate(p.added_at) },
      { title: 'State', cell: (p) => h('span', { class: p.blocked ? 'badge bad' : 'badge ok' }, p.blocked ? 'blocked' : 'active') },
    ], list, { testid: 'peer-list', caption: 'Peers' }) : h('p', { class: 'muted', testid: 'peer-list' }, 'No peers yet.'));
  } else failed(peersBox, peers.reason);
  if (mirrors.status === 'fulfilled') {
    const list = mirrors.value.mirrors || [];
    replace(mirrorsBox, list.length ? table([
      { title: 'From', cell: (m) => `${names.get(m.peer) || m.peer}:${m.remote_path}` },
      { title: 'Into', cell: (m) => h('code', null, m.local_path) },
      { title: 'State', cell: (m) => h('span', { class: m.state === 'active' ? 'badge ok' : 'badge bad' }, m.state) },
      { title: 'Note', cell: (m) => m.reason || '' },
      { title: 'Updated', cell: (m) => formatDate(m.updated_at) },
    ], list, { testid: 'mirror-list', caption: 'Mirrors' }) : h('p', { class: 'muted', testid: 'mirror-list' }, 'No mirrors.'));
  } else failed(mirrorsBox, mirrors.reason);
  if (inbox.status === 'fulfilled') {
    const list = inbox.value.messages || [];
    replace(inboxBox, list.length ? h('ul', { class: 'inbox', testid: 'inbox-list' }, list.map((m) => h('li', { class: 'inbox-message' },
      h('div', { class: 'inbox-head' },
        h('strong', null, m.subject || '(no subject)'), ' ',
        h('span', { class: 'muted' }, 'from ', m.from_name || m.from, ' · ', formatDate(m.received_at))),
      m.text ? h('p', { class: 'plain' }, m.text) : null,
      (m.attachments || []).length ? h('ul', { class: 'attachments' }, m.attachments.map((a) => h('li', null,
        a.local_path ? h('a', { href: '#/files' + a.local_path.slice(0, a.local_path.lastIndexOf('/') + 1).split('/').map(encodeURIComponent).join('/') }, a.name) : a.name,
        a.size !== null && a.size !== undefined ? ` (${formatBytes(a.size)})` : ''))) : null)))
      : h('p', { class: 'muted', testid: 'inbox-list' }, 'The inbox is empty.'));
  } else failed(inboxBox, inbox.reason);
}
