// Market page, backups: folders backed up K-of-N with providers among the peers, a form to make
// one, and restores that show each shard and file as the server reports it (NDJSON).

import { h, replace, clear, formatBytes, formatDate } from '../dom.js';
import * as api from '../api.js';
import {
  CONTRACT_STATUS_KIND, badge, formatCount, ident, labelled, loadTable, numberInput, numberValue,
} from './market-format.js';

function shardList(backup) {
  const shards = [...(backup.shards || [])].sort((a, b) => a.index - b.index);
  if (!shards.length) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'shard-list' }, shards.map((s) => h('li', null,
    `#${s.index} `, s.peer ? h('span', { title: s.provider }, s.peer) : ident(s.provider), ' ',
    badge(s.status, CONTRACT_STATUS_KIND[s.status]), ` ${formatBytes(s.stored_bytes)}`)));
}

/** Whether the backup can still be restored: how many of its shards are held under a running contract. */
function backupState(backup) {
  const held = new Set((backup.shards || []).filter((s) => s.status === 'active').map((s) => s.index)).size;
  const restorable = held >= backup.data_shards;
  const text = `${held} of ${backup.total_shards} held${restorable ? '' : ' — cannot be restored'}`;
  return badge(text, restorable ? 'ok' : 'bad');
}

function describeEvent(event, names) {
  const who = (did) => names.get(did) || did || 'a provider';
  switch (event.event) {
    case 'shard':
      return event.ok
        ? `Shard #${event.index} from ${who(event.provider)}: checked (${formatBytes(event.bytes)})`
        : `Shard #${event.index} from ${who(event.provider)}: refused — ${event.message || 'no reason given'}`;
    case 'file':
      return `Wrote ${event.path} (${formatBytes(event.bytes)})`;
    case 'done':
      return `Restored ${formatCount(event.files)} file${event.files === 1 ? '' : 's'} (${formatBytes(event.bytes)}) into ${event.path}`;
    case 'error':
      return `Restore failed: ${event.message || 'no reason given'}`;
    default:
      return JSON.stringify(event);
  }
}

export async function renderBackups(section, ctx) {
  const path = h('input', { type: 'text', testid: 'backup-path', placeholder: '/photos/', required: true, autocomplete: 'off' });
  const dataShards = numberInput('backup-k', { placeholder: '2', required: true });
  const totalShards = numberInput('backup-n', { placeholder: '3', required: true });
  const term = numberInput('backup-term', { placeholder: 'each offer’s minimum' });
  const maximumPrice = numberInput('backup-max-price', { placeholder: 'any' });
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'backup-error' });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'backup-submit' }, 'Back up');
  const form = h('form', { class: 'grid-form', testid: 'backup-form', 'aria-label': 'Back up a folder' },
    labelled('Folder', path),
    labelled('Shards to restore (K)', dataShards),
    labelled('Shards in all (N)', totalShards),
    labelled('Term (periods; optional)', term),
    labelled('Highest price (µcr/GiB/period)', maximumPrice),
    h('div', { class: 'form-actions' }, submit), error);
  const listBox = h('div');
  const restoreBox = h('div', { class: 'restore', testid: 'restore-box' });
  replace(section,
    h('h2', { id: 'backups-title' }, 'Backups'),
    h('p', { class: 'hint' }, 'A backup is sealed, cut into N shards and stored with N peers (one shard each) from their open offers; any K of them restore it.'),
    form,
    h('div', { class: 'list-head' }, h('h3', null, 'Backups kept here')),
    listBox, restoreBox);

  let restoring = null;

  function stop() {
    if (restoring) restoring.abort();
    restoring = null;
  }

  function openRestore(backup) {
    stop();
    const names = new Map((backup.shards || []).filter((s) => s.peer).map((s) => [s.provider, s.peer]));
    const into = h('input', { type: 'text', testid: 'restore-to', placeholder: backup.path, autocomplete: 'off' });
    const start = h('button', { type: 'submit', class: 'primary', testid: 'restore-start' }, 'Restore');
    const close = h('button', { type: 'button', testid: 'restore-close' }, 'Close');
    const log = h('ol', { class: 'restore-log', testid: 'restore-log', 'aria-live': 'polite' });
    const result = h('div', { testid: 'restore-result' });
    const restoreForm = h('form', { class: 'inline-form', 'aria-label': `Restore ${backup.path}` },
      labelled('Into (empty: the same folder)', into), start, close);
    replace(restoreBox,
      h('h3', null, 'Restore ', h('code', null, backup.path), ` — backup of ${formatDate(backup.created_at)}`),
      restoreForm, log, result);
    close.addEventListener('click', () => {
      stop();
      clear(restoreBox);
    });
    restoreForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      stop();
      clear(log);
      clear(result);
      const body = { path: backup.path, backup: backup.id };
      if (into.value.trim()) body.to = into.value.trim();
      const controller = new AbortController();
      restoring = controller;
      start.disabled = true;
      let final = null;
      try {
        await api.ndjson('/haven/backups/restore', body, {
          signal: controller.signal,
          onData: (line) => {
            if (line.event === 'done' || line.event === 'error') final = line;
            else log.appendChild(h('li', { testid: 'restore-event', 'data-event': line.event }, describeEvent(line, names)));
          },
        });
        if (!final) final = { event: 'error', message: 'the answer ended before the restore finished' };
      } catch (failure) {
        if (failure.name === 'AbortError') return;
        final = { event: 'error', message: failure.message };
      } finally {
        if (restoring === controller) restoring = null;
        start.disabled = false;
      }
      const ok = final.event === 'done';
      replace(result, h('p', { class: ok ? 'verify ok' : 'verify bad', role: ok ? 'status' : 'alert', testid: ok ? 'restore-done' : 'restore-error' },
        describeEvent(final, names)));
      if (ok) ctx.announce(describeEvent(final, names));
    });
    into.focus();
  }

  async function load() {
    const failure = await loadTable(listBox, {
      url: '/haven/backups', key: 'backups', empty: 'No backups yet.',
      testid: 'backup-list', caption: 'Backups', rowProps: (b) => ({ testid: 'backup-row', 'data-id': b.id, 'data-path': b.path }),
      columns: [
        { title: 'Folder', cell: (b) => h('code', { class: 'wrap' }, b.path) },
        { title: 'Made', cell: (b) => formatDate(b.created_at) },
        { title: 'Copies', cell: (b) => `${b.data_shards} of ${b.total_shards}` },
        { title: 'Size', class: 'num', cell: (b) => `${formatBytes(b.archive_bytes)}, ${formatCount(b.files)} file${b.files === 1 ? '' : 's'}` },
        { title: 'Shards', cell: shardList },
        { title: 'State', cell: backupState },
        {
          title: 'Actions', class: 'actions', cell: (b) => h('button', {
            type: 'button', class: 'small', testid: 'backup-restore', 'aria-label': `Restore the backup of ${b.path} made ${formatDate(b.created_at)}`,
            onclick: () => openRestore(b),
          }, 'Restore'),
        },
      ],
    });
    form.hidden = failure?.status === 403;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = { path: path.value.trim(), data_shards: numberValue(dataShards), total_shards: numberValue(totalShards) };
    const termPeriods = numberValue(term);
    if (termPeriods !== undefined) body.term_periods = termPeriods;
    const price = numberValue(maximumPrice);
    if (price !== undefined) body.maximum_price = price;
    submit.disabled = true;
    submit.textContent = 'Backing up…';
    try {
      const backup = await api.post('/haven/backups', body);
      ctx.announce(`Backed up ${backup.path}: ${formatCount(backup.files)} files, ${formatBytes(backup.archive_bytes)}, in ${backup.total_shards} shards`);
      form.reset();
      await load();
    } catch (failure) {
      error.textContent = failure.message;
    } finally {
      submit.disabled = false;
      submit.textContent = 'Back up';
    }
  });

  await load();
  return { load, stop };
}
