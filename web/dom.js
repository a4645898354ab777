// Building DOM nodes without ever parsing HTML: every piece of text goes in as text.

const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'data']);

/** Whether `url` may go into an href/src: a same-origin path, a hash, or an http(s) URL. */
export function isSafeURL(url) {
  if (typeof url !== 'string') return false;
  if (url.startsWith('#')) return true;
  if (url.startsWith('/') && !url.startsWith('//')) return true;
  if (url.startsWith('blob:') && url.startsWith('blob:' + location.origin)) return true;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * h('button', {class: 'x', type: 'button', onclick: fn, dataset: {testid: 'y'}}, 'text', child…)
 * Strings become text nodes; null/undefined/false children are skipped; arrays are flattened.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') {
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      } else if (key === 'text') {
        el.textContent = String(value);
      } else if (key === 'testid') {
        el.setAttribute('data-testid', value);
      } else if (key === 'dataset') {
        for (const [name, v] of Object.entries(value)) el.dataset[name] = String(v);
      } else if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'hidden' ||
                 key === 'selected' || key === 'multiple' || key === 'required') {
        el[key] = value;
      } else if (key.startsWith('on') || key === 'style') {
        throw new Error('refused attribute ' + key);
      } else if (URL_ATTRIBUTES.has(key.toLowerCase())) {
        if (!isSafeURL(String(value))) throw new Error('refused URL');
        el.setAttribute(key, String(value));
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled form field: returns {wrap, input}. */
export function field(labelText, input, hint) {
  if (!input.id) input.id = uid('f');
  const label = h('label', { for: input.id }, labelText);
  const wrap = h('div', { class: 'field' }, label, input, hint ? h('small', { class: 'hint' }, hint) : null);
  return { wrap, input };
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(n);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** An ISO 8601 date without fractional seconds (what the server decodes). */
export function isoSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** '/data' URL of a store path, each segment percent-encoded. */
export function dataURL(path) {
  return '/data' + path.split('/').map(encodeURIComponent).join('/');
}

/** A table: columns [{title, cell(row) -> node|string, class?}] */
export function table(columns, rows, props = {}) {
  const head = h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.title))));
  const body = h('tbody', null, rows.map((row) => h('tr', props.rowProps ? props.rowProps(row) : null,
    columns.map((c) => h('td', { class: c.class, 'data-label': c.title }, c.cell(row))))));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: props.testid }, props.caption ? h('caption', { class: 'visually-hidden' }, props.caption) : null, head, body));
}

/** A button that copies `getText()` to the clipboard and says so. */
export function copyButton(getText, label = 'Copy', ariaLabel) {
  const button = h('button', { type: 'button', class: 'small', 'aria-label': ariaLabel || label });
  button.textContent = label;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(getText());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed';
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  });
  return button;
}

/** An inline "are you sure" inside the page (never window.confirm). */
export function confirmInline(container, question, confirmLabel, onConfirm) {
  const box = h('div', { class: 'confirm', role: 'group', 'aria-label': question, testid: 'confirm' });
  const yes = h('button', { type: 'button', class: 'danger', testid: 'confirm-yes' }, confirmLabel);
  const no = h('button', { type: 'button', testid: 'confirm-no' }, 'Cancel');
  append(box, [h('span', null, question), ' ', yes, ' ', no]);
  const close = () => box.remove();
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try { await onConfirm(); } finally { close(); }
  });
  no.addEventListener('click', close);
  container.appendChild(box);
  no.focus();
  return box;
}
