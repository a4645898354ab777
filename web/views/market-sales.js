// Market page, data sales: the listings this server sells, what it bought and what it sold.
// A server without data sales answers 404 to these; then the sections stay hidden.

import { h, replace, formatDate, table } from '../dom.js';
import * as api from '../api.js';
import { badge, credits, formatDuration, ident, loading, showFailure } from './market-format.js';

const STATE_KIND = { pending: '', paid: '', delivered: 'ok', refunded: 'bad' };
const USE = { copy: 'a copy', ai: 'AI use' };

function stateBadge(record) {
  return badge(record.state, STATE_KIND[record.state]);
}

function listingState(listing) {
  if (listing.withdrawn_at) return badge(`withdrawn ${formatDate(listing.withdrawn_at)}`);
  if (listing.expires && new Date(listing.expires) <= new Date()) return badge('expired');
  return badge('open', 'ok');
}

const SECTIONS = [
  {
    key: 'listings', title: 'Your listings', url: '/haven/market/listings',
    hint: 'Data you offer for sale, each listing signed with your key.',
    empty: 'You list nothing for sale.',
    columns: [
      { title: 'Path', cell: (l) => h('span', null, h('code', { class: 'wrap' }, l.path), l.title ? h('div', { class: 'muted' }, l.title) : null) },
      { title: 'Content', cell: (l) => ident(l.content) },
      { title: 'Price', class: 'num', cell: (l) => credits(l.price) },
      { title: 'Sold for', cell: (l) => USE[l.use] || l.use },
      { title: 'Delivery', cell: (l) => `within ${formatDuration(l.delivery_seconds)}` },
      { title: 'Listed', cell: (l) => formatDate(l.created_at) },
      { title: 'State', cell: listingState },
    ],
    row: (l) => ({ testid: 'listing-row', 'data-id': l.id }),
    summary: () => null,
  },
  {
    key: 'purchases', title: 'Purchases', url: '/haven/market/purchases',
    hint: 'Data you bought from peers; paid into escrow until it is delivered, refunded if the deadline passes.',
    empty: 'You have bought nothing.',
    columns: [
      { title: 'From', cell: (p) => (p.peer ? h('span', { title: p.seller }, p.peer) : ident(p.seller)) },
      { title: 'What', cell: (p) => h('span', null, p.title || ident(p.listing), p.use ? h('div', { class: 'muted' }, USE[p.use] || p.use) : null) },
      { title: 'Content', cell: (p) => ident(p.content) },
      { title: 'Price', class: 'num', cell: (p) => credits(p.price) },
      { title: 'State', cell: (p) => h('span', null, stateBadge(p), p.error ? h('div', { class: 'muted' }, p.error) : null) },
      { title: 'Saved to', cell: (p) => (p.path ? h('code', { class: 'wrap' }, p.path) : '') },
      { title: 'Bought', cell: (p) => formatDate(p.created_at) },
      { title: 'Deadline', cell: (p) => formatDate(p.deadline) },
    ],
    row: (p) => ({ testid: 'purchase-row', 'data-id': p.id, 'data-state': p.state }),
    summary: (answer) => (answer.spent === undefined ? null : ['Spent: ', credits(answer.spent)]),
  },
  {
    key: 'sales', title: 'Sales', url: '/haven/market/sales',
    hint: 'Data peers bought from you.',
    empty: 'You have sold nothing yet.',
    columns: [
      { title: 'Buyer', cell: (s) => (s.peer ? h('span', { title: s.buyer }, s.peer) : ident(s.buyer)) },
      { title: 'Listing', cell: (s) => ident(s.listing) },
      { title: 'Content', cell: (s) => ident(s.content) },
      { title: 'Price', class: 'num', cell: (s) => credits(s.price) },
      { title: 'State', cell: stateBadge },
      { title: 'Sold', cell: (s) => formatDate(s.created_at) },
      { title: 'Deadline', cell: (s) => formatDate(s.deadline) },
    ],
    row: (s) => ({ testid: 'sale-row', 'data-id': s.id, 'data-state': s.state }),
    summary: (answer) => (answer.earned === undefined ? null
      : ['Earned: ', credits(answer.earned), answer.refunded ? ['; refunded to buyers: ', credits(answer.refunded)] : null]),
  },
];

async function renderSection(section, spec) {
  const listBox = h('div');
  const summary = h('p', { class: 'summary', testid: `${spec.key}-summary` });
  replace(section, h('h2', { id: `${spec.key}-title` }, spec.title), h('p', { class: 'hint' }, spec.hint), summary, listBox);

  async function load() {
    loading(listBox);
    try {
      const answer = await api.get(spec.url);
      const list = answer[spec.key] || [];
      section.hidden = false;
      replace(summary, spec.summary(answer));
      replace(listBox, list.length
        ? table(spec.columns, list, { testid: `${spec.key}-list`, caption: spec.title, rowProps: spec.row })
        : h('p', { class: 'muted', testid: `${spec.key}-list` }, spec.empty));
    } catch (failure) {
      // No data sales on this server: nothing to show.
      if (failure.status === 404) {
        section.hidden = true;
        return;
      }
      section.hidden = false;
      showFailure(listBox, failure);
    }
  }

  await load();
  return { load };
}

/** Renders the data-sale sections into `container`; each shows once its endpoint answers. */
export async function renderSales(container) {
  const sections = SECTIONS.map((spec) => ({
    spec,
    section: h('section', { class: 'panel', 'aria-labelledby': `${spec.key}-title`, testid: `${spec.key}-section`, hidden: true }),
  }));
  replace(container, sections.map((s) => s.section));
  const loaders = await Promise.all(sections.map(({ section, spec }) => renderSection(section, spec)));
  return { load: () => Promise.all(loaders.map((l) => l.load())) };
}
