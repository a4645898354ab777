// Models: what is installed, what is in memory and what it is doing (refreshed every few seconds).

import { h, replace, formatBytes, formatDate, table } from '../dom.js';
import * as api from '../api.js';

function uptime(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${hours} h`;
  if (hours) return `${hours} h ${m} min`;
  return `${m} min ${s % 60} s`;
}

export async function render(container, ctx) {
  const serverBox = h('div', { testid: 'server-status' });
  const modelsBox = h('div');
  const runningBox = h('div');
  const refresh = h('button', { type: 'button', testid: 'models-refresh' }, 'Refresh');
  replace(container,
    h('div', { class: 'view-head' }, h('h1', null, 'Models'), h('div', { class: 'head-actions' }, refresh)),
    serverBox,
    h('section', { class: 'panel', 'aria-labelledby': 'installed-title' }, h('h2', { id: 'installed-title' }, 'Installed'), modelsBox),
    h('section', { class: 'panel', 'aria-labelledby': 'memory-title' }, h('h2', { id: 'memory-title' }, 'In memory'), runningBox));

  async function load() {
    const [models, status, ps] = await Promise.allSettled([api.get('/haven/models'), api.get('/haven/status'), api.get('/api/ps')]);
    const engines = new Map();
    if (status.status === 'fulfilled') {
      const s = status.value;
      for (const m of s.models || []) engines.set(m.name, m);
      replace(serverBox, h('dl', { class: 'facts compact' },
        h('dt', null, 'Version'), h('dd', null, s.version),
        h('dt', null, 'Owner'), h('dd', { class: 'mono ellipsis' }, s.owner),
        h('dt', null, 'Up for'), h('dd', null, uptime(s.uptime_seconds || 0)),
        ...ledgerFacts(s.ledger)));
    } else {
      replace(serverBox, h('p', { class: 'form-error', role: 'alert' }, status.reason.message));
    }
    if (models.status === 'fulfilled') {
      const list = models.value.models || [];
      replace(modelsBox, list.length ? table([
        { title: 'Name', cell: (m) => h('span', { class: 'mono' }, m.name) },
        { title: 'Architecture', cell: (m) => [m.architecture, m.size_label].filter(Boolean).join(' · ') },
        { title: 'File size', class: 'num', cell: (m) => formatBytes(m.size_bytes) },
        { title: 'Added', cell: (m) => formatDate(m.added_at) },
        { title: 'Loaded', cell: (m) => h('span', { class: m.loaded ? 'badge ok' : 'badge' }, m.loaded ? 'in memory' : 'on disk') },
        { title: 'Running', class: 'num', cell: (m) => String(engines.get(m.name) ? engines.get(m.name).running : 0) },
        { title: 'Waiting', class: 'num', cell: (m) => String(engines.get(m.name) ? engines.get(m.name).waiting : 0) },
        { title: 'Tokens sampled', class: 'num', cell: (m) => String(engines.get(m.name) ? engines.get(m.name).sampled_tokens : '') },
      ], list, { testid: 'models-table', caption: 'Installed models', rowProps: (m) => ({ testid: 'model-row', 'data-name': m.name }) })
        : h('p', { class: 'muted', testid: 'models-table' }, 'No models you may use.'));
    } else {
      replace(modelsBox, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, models.reason.message));
    }
    if (ps.status === 'fulfilled') {
      const list = ps.value.models || [];
      replace(runningBox, list.length ? table([
        { title: 'Name', cell: (m) => h('span', { class: 'mono' }, m.name) },
        { title: 'Size', class: 'num', cell: (m) => formatBytes(m.size) },
        { title: 'In GPU memory', class: 'num', cell: (m) => (m.size_vram !== undefined ? formatBytes(m.size_vram) : '') },
        { title: 'Kept until', cell: (m) => (m.expires_at ? formatDate(m.expires_at) : '') },
      ], list, { testid: 'ps-table', caption: 'Models in memory', rowProps: (m) => ({ testid: 'ps-row', 'data-name': m.name }) })
        : h('p', { class: 'muted', testid: 'ps-table' }, 'No model is in memory; the first request loads one.'));
    } else {
      replace(runningBox, h('p', { class: 'form-error', role: 'alert' }, ps.reason.message));
    }
  }

  refresh.addEventListener('click', () => load().then(() => ctx.announce('Refreshed')));
  await load();
  const timer = setInterval(() => { if (!document.hidden) load(); }, 5000);
  return () => clearInterval(timer);
}

/** The ledger at a glance, with a warning when a witnessed log showed two histories. */
function ledgerFacts(ledger) {
  if (!ledger) return [];
  const facts = [
    h('dt', null, 'Ledger'),
    h('dd', { testid: 'ledger-summary' },
      `${ledger.entries} entries · witnessed by ${ledger.witnesses} · witnessing ${ledger.witnessing}`),
  ];
  if (ledger.split_views > 0) {
    facts.push(h('dt', null, 'Split views'),
      h('dd', null, h('span', { class: 'badge bad', role: 'alert', testid: 'ledger-split-views' },
        `${ledger.split_views} found: a witnessed log showed two histories (haven witness list)`)));
  }
  return facts;
}
