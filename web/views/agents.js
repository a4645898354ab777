// Agents: the list, and one agent's definition.

import { h, replace, table } from '../dom.js';
import * as api from '../api.js';

export async function render(container, ctx) {
  if (ctx.rest) return renderOne(container, ctx, decodeURIComponent(ctx.rest));
  const listBox = h('div');
  replace(container,
    h('div', { class: 'view-head' }, h('h1', null, 'Agents')),
    h('p', { class: 'lead' }, 'Agents work over your data with tools, always with the rights of the person they act for.'),
    listBox);
  try {
    const answer = await api.get('/haven/agents');
    const agents = answer.agents || [];
    const problems = Object.entries(answer.problems || {});
    replace(listBox,
      agents.length ? table([
        { title: 'Name', cell: (a) => h('a', { href: '#/agents/' + encodeURIComponent(a.name), testid: 'agent-link' }, a.name) },
        { title: 'Description', cell: (a) => a.description || '' },
        { title: 'Model', cell: (a) => a.model || 'the default model' },
        { title: 'Tools', cell: (a) => (a.tools || []).join(', ') },
        { title: 'Scopes', cell: (a) => (a.scopes || []).join(', ') },
      ], agents, { testid: 'agent-list', caption: 'Agents', rowProps: (a) => ({ testid: 'agent-row', 'data-name': a.name }) })
        : h('p', { class: 'muted', testid: 'agent-list' }, 'No agents.'),
      problems.length ? h('section', { class: 'panel' }, h('h2', null, 'Agent files with problems'),
        h('ul', { testid: 'agent-problems' }, problems.map(([file, why]) => h('li', null, h('code', null, file), ': ', why)))) : null);
  } catch (error) {
    replace(listBox, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, error.message));
  }
}

async function renderOne(container, ctx, name) {
  const body = h('div');
  replace(container,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Agents' }, h('ol', null,
      h('li', null, h('a', { href: '#/agents' }, 'Agents')), h('li', null, h('span', { 'aria-current': 'page' }, name)))),
    h('div', { class: 'view-head' }, h('h1', null, 'Agent ', h('span', { class: 'mono' }, name))),
    body);
  try {
    const agent = await api.get('/haven/agents/' + encodeURIComponent(name));
    const chat = h('a', { href: '#/chat', class: 'button primary', testid: 'agent-chat' }, 'Chat with ' + agent.name);
    chat.addEventListener('click', () => {
      try { localStorage.setItem('haven.chat.choice', 'agent:' + agent.name); } catch { /* private mode */ }
    });
    replace(body, h('dl', { class: 'facts', testid: 'agent-detail' },
      h('dt', null, 'Description'), h('dd', null, agent.description || ''),
      h('dt', null, 'Model'), h('dd', null, agent.model || 'the default model'),
      h('dt', null, 'Tools'), h('dd', null, (agent.tools || []).join(', ') || 'none'),
      h('dt', null, 'Scopes'), h('dd', null, (agent.scopes || []).join(', ')),
      h('dt', null, 'Most steps'), h('dd', null, String(agent.max_steps)),
      h('dt', null, 'Must call a tool'), h('dd', null, agent.requires_tool ? 'yes' : 'no')),
    h('h2', null, 'Instructions'),
    h('pre', { class: 'instructions', testid: 'agent-instructions', tabindex: '0' }, agent.instructions || ''),
    h('p', null, chat));
  } catch (error) {
    replace(body, h('p', { class: 'form-error', role: 'alert', testid: 'view-error' }, error.message));
  }
}
