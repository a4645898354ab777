// A small Markdown renderer that builds DOM nodes: no HTML is ever parsed, so whatever the text
// holds (tags, scripts, event handlers) shows up as the literal characters.
//
// Blocks: paragraphs, ATX headings, fenced code (``` or ~~~) with a Copy button, bullet and
// numbered lists, block quotes, rules. Inline: `code`, **bold**, *italic*, [links](http…) and
// bare http(s) URLs. Anything else is text.

import { h, copyButton } from './dom.js';

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
const ORDERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;

export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  renderBlocks(lines, fragment);
  return fragment;
}

function renderBlocks(lines, parent) {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i += 1;
      continue;
    }
    const fence = line.match(FENCE);
    if (fence) {
      const marker = fence[1];
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(marker)) {
        body.push(lines[i]);
        i += 1;
      }
      if (i >= lines.length) {
        // Not closed (yet, while an answer streams): trailing blank lines are not code.
        while (body.length && body[body.length - 1].trim() === '') body.pop();
      }
      i += 1; // the closing fence
      parent.appendChild(codeBlock(body.join('\n'), fence[2]));
      continue;
    }
    const heading = line.match(HEADING);
    if (heading) {
      const level = Math.min(heading[1].length + 2, 6); // inside a message, h1 reads as h3
      parent.appendChild(inline(h('h' + level, { class: 'md-h' + heading[1].length }), heading[2]));
      i += 1;
      continue;
    }
    if (RULE.test(line)) {
      parent.appendChild(h('hr'));
      i += 1;
      continue;
    }
    if (QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && QUOTE.test(lines[i])) {
        body.push(lines[i].match(QUOTE)[1]);
        i += 1;
      }
      const quote = h('blockquote');
      renderBlocks(body, quote);
      parent.appendChild(quote);
      continue;
    }
    if (BULLET.test(line) || ORDERED.test(line)) {
      i = renderList(lines, i, parent);
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() !== '' && !startsBlock(lines[i])) {
      paragraph.push(lines[i].trim());
      i += 1;
    }
    const p = h('p');
    paragraph.forEach((text, index) => {
      if (index > 0) p.appendChild(h('br'));
      inline(p, text);
    });
    parent.appendChild(p);
  }
}

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) ||
    BULLET.test(line) || ORDERED.test(line);
}

function renderList(lines, start, parent) {
  const first = lines[start];
  const ordered = !BULLET.test(first) && ORDERED.test(first);
  const pattern = ordered ? ORDERED : BULLET;
  const indent = first.match(pattern)[1].length;
  const list = h(ordered ? 'ol' : 'ul');
  if (ordered) {
    const number = Number(first.match(ORDERED)[2]);
    if (number !== 1) list.setAttribute('start', String(number));
  }
  let i = start;
  let item = null;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      // A blank line ends the list unless the next line continues it.
      const next = lines[i + 1];
      if (next !== undefined && (pattern.test(next) || /^\s{2,}\S/.test(next))) {
        i += 1;
        continue;
      }
      break;
    }
    const match = line.match(pattern);
    const otherKind = (ordered ? BULLET : ORDERED).exec(line);
    const lineIndent = line.length - line.trimStart().length;
    if (match && lineIndent <= indent) {
      item = inline(h('li'), ordered ? match[3] : match[2]);
      list.appendChild(item);
      i += 1;
    } else if ((match || otherKind) && item && lineIndent > indent) {
      // A nested list inside the current item.
      i = renderList(lines, i, item);
    } else if (item && /^\s+\S/.test(line) && !FENCE.test(line)) {
      item.appendChild(h('br'));
      inline(item, line.trim());
      i += 1;
    } else {
      break;
    }
  }
  parent.appendChild(list);
  return i;
}

function codeBlock(code, language) {
  const codeEl = h('code', language ? { 'data-language': language } : null, code);
  const pre = h('pre', null, codeEl);
  const bar = h('div', { class: 'code-bar' },
    h('span', { class: 'code-lang' }, language || 'code'),
    copyButton(() => code, 'Copy', 'Copy code'));
  return h('div', { class: 'code-block' }, bar, pre);
}

// Inline spans, by a left-to-right scan for the earliest construct. Each rule's next match is
// remembered, so a long message costs one pass per rule rather than one per span.
const INLINE = [
  { name: 'code', re: /(`+)([\s\S]*?[^`])\1(?!`)/g },
  { name: 'link', re: /\[([^\]\n]+)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/g },
  { name: 'url', re: /\bhttps?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/g },
  { name: 'strong', re: /(\*\*|__)(?=\S)([\s\S]*?\S)\1/g },
  { name: 'em', re: /(?<![\w*])(\*|_)(?=[^\s*_])([\s\S]*?[^\s*_])\1(?![*_\w])/g },
];

export function inline(parent, text, links = true) {
  const rules = links ? INLINE : INLINE.filter((r) => r.name !== 'link' && r.name !== 'url');
  const next = new Map();
  let pos = 0;
  while (pos < text.length) {
    let best = null;
    for (const rule of rules) {
      let match = next.get(rule);
      if (match === undefined || (match !== null && match.index < pos)) {
        rule.re.lastIndex = pos;
        match = rule.re.exec(text);
        next.set(rule, match);
      }
      if (match && (best === null || match.index < best.match.index)) best = { rule, match };
    }
    if (!best) {
      parent.appendChild(document.createTextNode(text.slice(pos)));
      break;
    }
    const { rule, match } = best;
    if (match.index > pos) parent.appendChild(document.createTextNode(text.slice(pos, match.index)));
    parent.appendChild(span(rule.name, match, links));
    pos = match.index + match[0].length;
  }
  return parent;
}

function span(name, match, links) {
  switch (name) {
    case 'code':
      return h('code', null, match[2].replace(/^ (.*) $/, '$1'));
    case 'link': {
      const url = match[2];
      if (isWebURL(url)) return link(url, match[1]);
      return document.createTextNode(match[0]);
    }
    case 'url':
      return link(match[0], match[0]);
    case 'strong':
      return inline(h('strong'), match[2], links);
    case 'em':
      return inline(h('em'), match[2], links);
    default:
      return document.createTextNode(match[0]);
  }
}

function isWebURL(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

function link(url, label) {
  const a = h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' });
  inline(a, label, false);
  return a;
}
