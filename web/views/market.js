// Market: the storage this server offers, the contracts it is party to (either side), the
// challenges it ran as a consumer, its backups, and (where the server has them) data sales.
// Every section loads on its own and shows the server's message when its request fails.

import { h, replace, formatBytes, formatDate, confirmInline } from '../dom.js';
import * as api from '../api.js';
import {
  CONTRACT_STATUS_KIND, badge, credits, formatCount, formatCredits, formatDuration, formatPerMille, ident, labelled, lines,
  loadTable, numberInput, numberValue,
} from './market-format.js';
import { renderBackups } from './market-backups.js';
import { renderSales } from './market-sales.js';

const GIB = 2 ** 30;

export async function render(container, ctx) {
  const offers = h('section', { class: 'panel', 'aria-labelledby': 'offers-title', testid: 'offers-section' });
  const contracts = h('section', { class: 'panel', 'aria-labelledby': 'contracts-title', testid: 'contracts-section' });
  const challenges = h('section', { class: 'panel', 'aria-labelledby': 'challenges-title', testid: 'challenges-section' });
  const backups = h('section', { class: 'panel', 'aria-labelledby': 'backups-title', testid: 'backups-section' });
  const sales = h('div', { class: 'sales' });
  const refresh = h('button', { type: 'button', testid: 'market-refresh' }, 'Refresh');
  replace(container,
    h('div', { class: 'view-head' }, h('h1', null, 'Market'), h('div', { class: 'head-actions' }, refresh)),
    h('p', { class: 'lead' }, 'Storage you offer to your peers, storage you buy from them for backups, and the ',
      'challenges that check it is kept. Amounts are in credits (1 cr = 1,000,000 µcr).'),
    offers, contracts, challenges, backups, sales);

  const loaders = await Promise.all([
    renderOffers(offers, ctx), renderContracts(contracts), renderChallenges(challenges),
    renderBackups(backups, ctx), renderSales(sales)]);
  const backupsView = loaders[3];
  refresh.addEventListener('click', async () => {
    refresh.disabled = true;
    try {
      await Promise.all(loaders.map((l) => l.load()));
    } finally {
      refresh.disabled = false;
    }
  });
  return () => backupsView.stop();
}

// --- Offers ------------------------------------------------------------------------------------

function offerTerms(o) {
  return lines([
    `at least ${formatCount(o.minimum_term_periods)} periods of ${formatDuration(o.period_seconds)}`,
    `${formatCount(o.challenges_per_period)} challenges per period`,
    `collateral ${formatPerMille(o.collateral_per_mille)}, ${formatPerMille(o.hold_back_per_mille)} held back`,
  ]);
}

async function renderOffers(section, ctx) {
  const capacity = h('input', { type: 'number', step: 'any', inputmode: 'decimal', autocomplete: 'off', testid: 'offer-capacity', placeholder: '20', required: true });
  const price = numberInput('offer-price', { placeholder: '1200', required: true });
  const period = numberInput('offer-period', { placeholder: 'market default' });
  const term = numberInput('offer-term', { placeholder: 'market default' });
  const collateral = numberInput('offer-collateral', { placeholder: 'market default' });
  const challengeCount = numberInput('offer-challenges', { placeholder: 'market default' });
  const holdBack = numberInput('offer-hold-back', { placeholder: 'market default' });
  const lifetime = h('input', { type: 'number', step: 'any', inputmode: 'decimal', autocomplete: 'off', testid: 'offer-days', placeholder: '30' });
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'offer-error' });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'offer-submit' }, 'Publish offer');
  const form = h('form', { class: 'grid-form', testid: 'offer-form', 'aria-label': 'Publish a storage offer' },
    labelled('Capacity (GiB)', capacity),
    labelled('Price (µcr per GiB per period)', price),
    labelled('Stands for (days; default 30)', lifetime),
    h('details', { class: 'more-terms' },
      h('summary', null, 'More terms (the market’s defaults when empty)'),
      h('div', { class: 'more-terms-fields' },
        labelled('Period (seconds)', period),
        labelled('Minimum term (periods)', term),
        labelled('Collateral (per-mille of the term’s fees)', collateral),
        labelled('Challenges per period', challengeCount),
        labelled('Held back (per-mille of each fee)', holdBack))),
    h('div', { class: 'form-actions' }, submit), error);
  const listBox = h('div');
  replace(section,
    h('h2', { id: 'offers-title' }, 'Storage offers'),
    h('p', { class: 'hint' }, 'An offer is signed with your key and recorded in your ledger; your peers see it and may take it for their backups.'),
    form,
    h('div', { class: 'list-head' }, h('h3', null, 'Offers you publish')),
    listBox);

  async function load() {
    const failure = await loadTable(listBox, {
      url: '/haven/market/offers', key: 'offers', empty: 'You publish no offers.',
      testid: 'offer-list', caption: 'Storage offers', rowProps: (o) => ({ testid: 'offer-row', 'data-id': o.id }),
      columns: [
        { title: 'Offer', cell: (o) => ident(o.id) },
        { title: 'Capacity', class: 'num', cell: (o) => formatBytes(o.capacity_bytes) },
        { title: 'Price', class: 'num', cell: (o) => h('span', null, credits(o.price_per_gib_per_period), ' / GiB / period') },
        { title: 'Terms', cell: offerTerms },
        { title: 'Expires', cell: (o) => formatDate(o.expires_at) },
        { title: 'Ledger', class: 'num', cell: (o) => (o.log_index === null || o.log_index === undefined ? '' : `#${o.log_index}`) },
        {
          title: 'Actions', class: 'actions', cell: (o) => h('button', {
            type: 'button', class: 'small danger', testid: 'offer-withdraw', 'aria-label': `Withdraw offer ${o.id}`,
            onclick: (event) => confirmInline(event.target.parentElement, 'Withdraw this offer? Contracts already made stand.', 'Withdraw', async () => {
              try {
                await api.del('/haven/market/offers/' + encodeURIComponent(o.id));
                ctx.announce('Offer withdrawn');
                await load();
              } catch (failure) {
                ctx.showAlert(failure.message);
              }
            }),
          }, 'Withdraw'),
        },
      ],
    });
    form.hidden = failure?.status === 403;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = {
      capacity_bytes: Math.round(Number(capacity.value) * GIB),
      price_per_gib_per_period: numberValue(price),
    };
    const optional = {
      period_seconds: period, minimum_term_periods: term, collateral_per_mille: collateral,
      challenges_per_period: challengeCount, hold_back_per_mille: holdBack,
    };
    for (const [key, input] of Object.entries(optional)) {
      const value = numberValue(input);
      if (value !== undefined) body[key] = value;
    }
    const days = numberValue(lifetime);
    if (days !== undefined) body.expires_in_seconds = Math.round(days * 86_400);
    submit.disabled = true;
    try {
      const offer = await api.post('/haven/market/offers', body);
      ctx.announce(`Offered ${formatBytes(offer.capacity_bytes)} at ${formatCredits(offer.price_per_gib_per_period)} per GiB per period`);
      form.reset();
      await load();
    } catch (failure) {
      error.textContent = failure.message;
    } finally {
      submit.disabled = false;
    }
  });
  await load();
  return { load };
}

// --- Contracts ---------------------------------------------------------------------------------

function balances(c) {
  const b = c.balances || {};
  return lines([
    ['remaining ', credits(b.consumer_remaining)],
    ['earned ', credits(b.provider_earned)],
    ['held back ', credits(b.held_back)],
  ]);
}

function collateral(c) {
  const b = c.balances || {};
  return lines([['posted ', credits(b.collateral_posted)], ['forfeited ', credits(b.collateral_forfeited)]]);
}

async function renderContracts(section) {
  const listBox = h('div');
  replace(section,
    h('h2', { id: 'contracts-title' }, 'Contracts'),
    h('p', { class: 'hint' }, 'Storage contracts this server is party to: as consumer (your backups, stored by peers) or as provider (peers’ shards, stored here).'),
    listBox);

  async function load() {
    await loadTable(listBox, {
      url: '/haven/market/contracts', key: 'contracts', empty: 'No contracts yet.',
      testid: 'contract-list', caption: 'Storage contracts', rowProps: (c) => ({ testid: 'contract-row', 'data-id': c.id, 'data-role': c.role, 'data-status': c.status }),
      columns: [
        { title: 'Contract', cell: (c) => ident(c.id) },
        { title: 'Role', cell: (c) => badge(c.role) },
        { title: 'Peer', cell: (c) => (c.peer ? h('span', { title: c.counterparty }, c.peer) : ident(c.counterparty)) },
        { title: 'State', cell: (c) => badge(c.status, CONTRACT_STATUS_KIND[c.status]) },
        { title: 'Stored', class: 'num', cell: (c) => formatBytes(c.stored_bytes) },
        { title: 'Period', cell: (c) => `${formatCount(c.period)} of ${formatCount(c.term_periods)} (${formatDuration(c.period_seconds)} each)` },
        { title: 'Revision', class: 'num', cell: (c) => `#${formatCount(c.revision)}` },
        { title: 'Fee', class: 'num', cell: (c) => h('span', null, credits(c.period_fee), ' / period') },
        { title: 'Balances', cell: balances },
        { title: 'Collateral', cell: collateral },
        { title: 'Opened', cell: (c) => formatDate(c.opened_at) },
      ],
    });
  }

  await load();
  return { load };
}

// --- Challenges --------------------------------------------------------------------------------

async function renderChallenges(section) {
  const listBox = h('div');
  replace(section,
    h('h2', { id: 'challenges-title' }, 'Recent challenges'),
    h('p', { class: 'hint' }, 'Each period this server asks the providers of its backups for random pieces of their shards and checks them against the contract’s root.'),
    listBox);

  async function load() {
    await loadTable(listBox, {
      url: '/haven/market/challenges?limit=50', key: 'challenges', empty: 'No challenges run yet.',
      testid: 'challenge-list', caption: 'Recent challenges', rowProps: (c) => ({ testid: 'challenge-row', 'data-outcome': c.outcome }),
      columns: [
        { title: 'Time', cell: (c) => formatDate(c.at) },
        { title: 'Contract', cell: (c) => ident(c.contract) },
        { title: 'Period', class: 'num', cell: (c) => `${formatCount(c.period)}.${formatCount(c.sequence)}` },
        { title: 'Leaf', class: 'num', cell: (c) => formatCount(c.leaf_index) },
        { title: 'Outcome', cell: (c) => badge(c.outcome, c.outcome === 'passed' ? 'ok' : 'bad') },
        { title: 'Evidence', cell: (c) => ident(c.evidence) },
      ],
    });
  }

  await load();
  return { load };
}
