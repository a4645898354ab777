// Readable numbers for the Market page: credits, durations, shares, and the small pieces every
// market table uses.

import { h, replace, table, uid } from '../dom.js';
import * as api from '../api.js';

const MICRO = 1_000_000;
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const fraction = new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 });

/** Micro-credits as a person reads them: "1,200 µcr" below one credit, "12.5 cr" above. */
export function formatCredits(micro) {
  if (micro === null || micro === undefined) return '';
  const n = Number(micro);
  if (!Number.isFinite(n)) return String(micro);
  if (Math.abs(n) < MICRO) return `${whole.format(n)} µcr`;
  return `${fraction.format(n / MICRO)} cr`;
}

/** A cell with the readable amount, and the exact one on hover. */
export function credits(micro) {
  if (micro === null || micro === undefined) return '';
  return h('span', { class: 'amount', title: `${whole.format(Number(micro))} µcr` }, formatCredits(micro));
}

/** Seconds as "90 s", "5 min", "2 h", "30 days" (one decimal where it does not divide). */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '';
  const s = Number(seconds);
  const units = [[86_400, 'day', 'days'], [3_600, 'h', 'h'], [60, 'min', 'min']];
  for (const [size, one, many] of units) {
    if (s >= size) {
      const value = s / size;
      const text = Number.isInteger(value) ? whole.format(value) : fraction.format(Math.round(value * 10) / 10);
      return `${text} ${value === 1 ? one : many}`;
    }
  }
  return `${whole.format(s)} s`;
}

/** Per-mille as a percentage: 150 → "15 %". */
export function formatPerMille(perMille) {
  if (perMille === null || perMille === undefined) return '';
  return `${fraction.format(Number(perMille) / 10)} %`;
}

export function formatCount(n) {
  return n === null || n === undefined ? '' : whole.format(Number(n));
}

/** A long identifier (a did:key, a CID), cut to fit, whole on hover. */
export function ident(text) {
  if (!text) return '';
  return h('span', { class: 'mono ellipsis', title: text }, text);
}

/** Short lines stacked in one table cell. */
export function lines(items) {
  return h('div', { class: 'cell-lines' }, items.map((item) => h('div', null, item)));
}

/** How a contract's state is shown: active is good, breached is bad. */
export const CONTRACT_STATUS_KIND = { active: 'ok', ended: '', breached: 'bad' };

export function badge(text, kind) {
  return h('span', { class: kind ? `badge ${kind}` : 'badge' }, text);
}

export function labelled(text, input) {
  if (!input.id) input.id = uid('f');
  return h('div', { class: 'field' }, h('label', { for: input.id }, text), input);
}

/** An integer input; empty means "not given". */
export function numberInput(testid, props = {}) {
  return h('input', { type: 'number', step: '1', inputmode: 'numeric', autocomplete: 'off', testid, ...props });
}

/** The number typed in `input`, or undefined when it is empty. */
export function numberValue(input) {
  const text = input.value.trim();
  return text === '' ? undefined : Number(text);
}

export function showFailure(box, error) {
  replace(box, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, error.message));
}

export function loading(box) {
  replace(box, h('p', { class: 'muted' }, 'Loading…'));
}

/**
 * Loads `url` into `box`: a table of `answer[key]` (`columns`, with `testid`, `caption` and
 * `rowProps` for the table), `empty` when the list is empty, or the server's message when the
 * request fails. Resolves with that failure, or null.
 */
export async function loadTable(box, { url, key, empty, columns, ...options }) {
  loading(box);
  try {
    const list = (await api.get(url))[key] || [];
    replace(box, list.length ? table(columns, list, options) : h('p', { class: 'muted', testid: options.testid }, empty));
    return null;
  } catch (failure) {
    showFailure(box, failure);
    return failure;
  }
}
