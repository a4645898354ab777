// Chat with a model (streamed from /v1/chat/completions, saved as a conversation) or with an
// agent (streamed from /haven/agents/NAME/chat, tool calls shown as they happen).

import { h, replace, clear, confirmInline, formatDate } from '../dom.js';
import * as api from '../api.js';
import { renderMarkdown } from '../markdown.js';

const CHOICE_KEY = 'haven.chat.choice';
const MAX_TOKENS_KEY = 'haven.chat.maxTokens';
const DEFAULT_MAX_TOKENS = 1024;

function stored(key, fallback) {
  try { return localStorage.getItem(key) || fallback; } catch { return fallback; }
}

function store(key, value) {
  try { localStorage.setItem(key, value); } catch { /* private mode */ }
}

/** Re-renders one message's Markdown at most once a frame. */
class LiveMarkdown {
  constructor(body, onRendered) {
    this.body = body;
    this.onRendered = onRendered;
    this.text = '';
    this.scheduled = false;
  }

  set(text) {
    this.text = text;
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      if (!this.scheduled) return;
      this.render();
    });
  }

  render() {
    this.scheduled = false;
    replace(this.body, renderMarkdown(this.text));
    this.onRendered();
  }
}

export async function render(container, ctx) {
  const conversationID = ctx.rest ? decodeURIComponent(ctx.rest) : null;
  const chat = {
    conversation: null, // {id, model?, agent?}
    history: [], // model chats: [{role, content}]
    controller: null,
    stick: true,
    ended: false,
    // Gone once torn down, or once a navigation left the view while it was still loading.
    get destroyed() { return this.ended || !ctx.current(); },
  };

  // --- Layout --------------------------------------------------------------------------------
  const conversationList = h('ul', { class: 'conversation-list', testid: 'conversation-list', 'aria-label': 'Conversations' });
  const newChat = h('a', { href: '#/chat', class: 'button', testid: 'new-chat' }, 'New chat');
  const sidebar = h('aside', { class: 'chat-sidebar', 'aria-labelledby': 'conversations-title' },
    h('div', { class: 'sidebar-head' }, h('h2', { id: 'conversations-title' }, 'Conversations'), newChat),
    conversationList);

  const picker = h('select', { id: 'model-picker', testid: 'model-picker' });
  const maxTokens = h('input', {
    id: 'max-tokens', type: 'number', min: '1', max: '32768', step: '1', testid: 'max-tokens',
    value: stored(MAX_TOKENS_KEY, String(DEFAULT_MAX_TOKENS)),
  });
  maxTokens.addEventListener('input', () => store(MAX_TOKENS_KEY, maxTokens.value));
  const toolbar = h('div', { class: 'chat-toolbar' },
    h('div', { class: 'field inline' }, h('label', { for: 'model-picker' }, 'Model or agent'), picker),
    h('div', { class: 'field inline' }, h('label', { for: 'max-tokens' }, 'Max tokens'), maxTokens));

  const transcript = h('div', {
    class: 'transcript', testid: 'transcript', role: 'log', 'aria-label': 'Messages', tabindex: '0',
  });
  const latest = h('button', { type: 'button', class: 'scroll-latest small', testid: 'scroll-latest', hidden: true }, 'Jump to latest');
  const input = h('textarea', {
    id: 'chat-input', rows: '2', testid: 'chat-input', placeholder: 'Message (Enter sends, Shift+Enter for a new line)',
    'aria-describedby': 'chat-input-hint',
  });
  const send = h('button', { type: 'submit', class: 'primary', testid: 'send-button' }, 'Send');
  const stop = h('button', { type: 'button', class: 'danger', testid: 'stop-button', hidden: true }, 'Stop');
  const composer = h('form', { class: 'composer', testid: 'composer' },
    h('label', { for: 'chat-input', class: 'visually-hidden' }, 'Message'),
    input,
    h('div', { class: 'composer-buttons' }, send, stop),
    h('small', { id: 'chat-input-hint', class: 'visually-hidden' }, 'Enter sends; Shift+Enter starts a new line.'));
  const chatError = h('p', { class: 'form-error', role: 'alert', testid: 'chat-error' });

  const mainPane = h('div', { class: 'chat-main' },
    h('h1', { class: 'visually-hidden' }, 'Chat'),
    toolbar, h('div', { class: 'transcript-wrap' }, transcript, latest), chatError, composer);
  replace(container, h('div', { class: 'chat-layout' }, sidebar, mainPane));

  // --- Scrolling: follow the answer unless the person scrolled up ----------------------------
  const atBottom = () => transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
  transcript.addEventListener('scroll', () => {
    chat.stick = atBottom();
    latest.hidden = chat.stick;
  });
  const follow = () => {
    if (chat.stick) transcript.scrollTop = transcript.scrollHeight;
    else latest.hidden = false;
  };
  latest.addEventListener('click', () => {
    chat.stick = true;
    transcript.scrollTop = transcript.scrollHeight;
    latest.hidden = true;
    input.focus();
  });

  // --- Messages ------------------------------------------------------------------------------
  function userMessage(text) {
    const el = h('article', { class: 'message user', testid: 'message-user' },
      h('div', { class: 'message-role' }, 'You'),
      h('div', { class: 'message-body plain' }, text));
    transcript.appendChild(el);
    return el;
  }

  function assistantMessage(label, stateName = 'done') {
    const tools = h('div', { class: 'message-tools' });
    const body = h('div', { class: 'message-body markdown', testid: 'message-body' });
    const el = h('article', { class: 'message assistant', testid: 'message-assistant', 'data-state': stateName },
      h('div', { class: 'message-role' }, label), tools, body);
    transcript.appendChild(el);
    return { el, tools, body };
  }

  function toolCall(tools, name, args) {
    let shown = args || '';
    try { shown = JSON.stringify(JSON.parse(args), null, 2); } catch { /* as sent */ }
    tools.appendChild(h('details', { class: 'tool tool-call', testid: 'tool-call' },
      h('summary', null, 'Tool call: ', h('strong', null, name || 'tool')),
      h('pre', null, shown)));
  }

  function toolResult(tools, name, text, isError) {
    tools.appendChild(h('details', { class: ['tool', 'tool-result', isError ? 'tool-error' : null], testid: 'tool-result' },
      h('summary', null, isError ? 'Tool error from ' : 'Result from ', h('strong', null, name || 'tool')),
      h('pre', null, text || '')));
  }

  // --- Picker ---------------------------------------------------------------------------------
  async function loadPicker() {
    const [models, agents] = await Promise.allSettled([api.get('/v1/models'), api.get('/haven/agents')]);
    clear(picker);
    const modelIDs = [];
    const agentNames = new Map();
    if (models.status === 'fulfilled') {
      for (const model of models.value.data || []) {
        if (model.id.startsWith('agent:')) agentNames.set(model.id.slice(6), '');
        else modelIDs.push(model.id);
      }
    }
    if (agents.status === 'fulfilled') {
      for (const agent of agents.value.agents || []) agentNames.set(agent.name, agent.description || '');
    }
    if (modelIDs.length) {
      picker.appendChild(h('optgroup', { label: 'Models' },
        modelIDs.map((id) => h('option', { value: id }, id))));
    }
    if (agentNames.size) {
      picker.appendChild(h('optgroup', { label: 'Agents' },
        [...agentNames].map(([name, description]) =>
          h('option', { value: 'agent:' + name }, description ? `${name} — ${description}` : name))));
    }
    if (!modelIDs.length && !agentNames.size) {
      const reason = models.status === 'rejected' ? models.reason.message : 'no model is available to you';
      picker.appendChild(h('option', { value: '' }, 'No models'));
      chatError.textContent = reason;
    }
    const wanted = stored(CHOICE_KEY, '');
    if ([...picker.options].some((o) => o.value === wanted)) picker.value = wanted;
  }
  picker.addEventListener('change', () => {
    store(CHOICE_KEY, picker.value);
    // Another model or agent starts another conversation.
    if (chat.conversation && choiceOf(chat.conversation) !== picker.value) startNew();
  });

  function choiceOf(conversation) {
    return conversation.agent ? 'agent:' + conversation.agent : conversation.model;
  }

  function ensureOption(value) {
    if (value && ![...picker.options].some((o) => o.value === value)) {
      picker.appendChild(h('option', { value }, value));
    }
    if (value) picker.value = value;
  }

  // --- Conversations -------------------------------------------------------------------------
  async function loadConversations() {
    let list;
    try {
      list = (await api.get('/haven/conversations')).conversations || [];
    } catch (error) {
      replace(conversationList, h('li', { class: 'muted', role: 'alert' }, error.message));
      return;
    }
    clear(conversationList);
    if (!list.length) conversationList.appendChild(h('li', { class: 'muted' }, 'No conversations yet.'));
    for (const conversation of list) {
      const current = chat.conversation && chat.conversation.id === conversation.id;
      const title = conversation.title || 'Untitled';
      const link = h('a', {
        href: '#/chat/' + encodeURIComponent(conversation.id), class: 'conversation-link',
        testid: 'conversation-item', 'aria-current': current ? 'page' : null,
      },
      h('span', { class: 'conversation-title' }, title),
      h('small', { class: 'muted' }, (conversation.agent ? 'agent ' + conversation.agent : conversation.model || ''),
        ' · ', formatDate(conversation.updated_at)));
      const remove = h('button', {
        type: 'button', class: 'small ghost', testid: 'conversation-delete', 'aria-label': 'Delete conversation ' + title,
      }, 'Delete');
      const li = h('li', { class: 'conversation' }, link, remove);
      remove.addEventListener('click', () => {
        confirmInline(li, 'Delete this conversation?', 'Delete', async () => {
          try {
            await api.del('/haven/conversations/' + encodeURIComponent(conversation.id));
            ctx.announce('Conversation deleted');
            if (chat.conversation && chat.conversation.id === conversation.id) {
              location.hash = '#/chat';
            } else {
              loadConversations();
            }
          } catch (error) {
            ctx.showAlert(error.message);
          }
        });
      });
      conversationList.appendChild(li);
    }
  }

  async function openConversation(id) {
    let conversation;
    try {
      conversation = await api.get('/haven/conversations/' + encodeURIComponent(id));
    } catch (error) {
      chatError.textContent = error.message;
      return;
    }
    if (chat.destroyed) return;
    chat.conversation = conversation;
    ensureOption(choiceOf(conversation));
    chat.history = [];
    clear(transcript);
    let current = null;
    for (const message of conversation.messages || []) {
      if (message.role === 'user') {
        current = null;
        userMessage(message.content);
        chat.history.push({ role: 'user', content: message.content });
      } else if (message.role === 'assistant') {
        if (!current) current = assistantMessage(conversation.agent ? 'Agent ' + conversation.agent : 'Assistant');
        for (const call of message.tool_calls || []) toolCall(current.tools, call.name, call.arguments);
        if (message.content) {
          current.body.appendChild(renderMarkdown(message.content));
          chat.history.push({ role: 'assistant', content: message.content });
        }
      } else if (message.role === 'tool') {
        if (!current) current = assistantMessage(conversation.agent ? 'Agent ' + conversation.agent : 'Assistant');
        toolResult(current.tools, message.tool_name, message.content, false);
      }
    }
    chat.stick = true;
    follow();
  }

  /** Puts `hash` in the address bar without a navigation, only while this view is shown and the
   *  address is still one of its own: a navigation elsewhere — even one whose `hashchange` has
   *  not been handled yet — is never undone. */
  function showInAddressBar(hash) {
    if (chat.destroyed || !location.hash.startsWith('#/chat')) return;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  function startNew() {
    chat.conversation = null;
    chat.history = [];
    clear(transcript);
    transcript.appendChild(h('p', { class: 'empty-chat muted', testid: 'empty-chat' }, 'Ask anything. Answers stream in as they are written.'));
    showInAddressBar('#/chat');
    loadConversations();
  }

  // --- Sending --------------------------------------------------------------------------------
  function setBusy(busy) {
    send.disabled = busy;
    stop.hidden = !busy;
    picker.disabled = busy;
  }

  async function sendMessage(text) {
    const choice = picker.value;
    if (!choice) {
      chatError.textContent = 'Choose a model or an agent first.';
      return;
    }
    chatError.textContent = '';
    const empty = transcript.querySelector('.empty-chat');
    if (empty) empty.remove();
    chat.stick = true;
    userMessage(text);
    const agent = choice.startsWith('agent:') ? choice.slice(6) : null;
    const message = assistantMessage(agent ? 'Agent ' + agent : 'Assistant', 'streaming');
    const live = new LiveMarkdown(message.body, follow);
    follow();
    const controller = new AbortController();
    chat.controller = controller;
    setBusy(true);
    performance.clearMarks('haven-send');
    performance.clearMarks('haven-first-token');
    performance.mark('haven-send');
    let answer = '';
    let outcome = 'done';
    const gotText = (piece) => {
      if (!answer && piece) performance.mark('haven-first-token');
      answer += piece;
      live.set(answer);
    };
    let saving = Promise.resolve(null);
    try {
      if (agent) {
        await api.stream('/haven/agents/' + encodeURIComponent(agent) + '/chat', {
          message: text, stream: true, conversation_id: chat.conversation ? chat.conversation.id : undefined,
        }, {
          signal: controller.signal,
          onData: (event) => {
            if (event.type === 'tool_call') {
              toolCall(message.tools, event.name, event.arguments);
              follow();
            } else if (event.type === 'tool_result') {
              toolResult(message.tools, event.name, event.text, event.is_error);
              follow();
            } else if (event.conversation_id !== undefined) {
              if (!chat.conversation) {
                chat.conversation = { id: event.conversation_id, agent };
                showInAddressBar('#/chat/' + encodeURIComponent(event.conversation_id));
              }
              gotText(event.answer || '');
            }
          },
        });
      } else {
        chat.history.push({ role: 'user', content: text });
        const max = parseInt(maxTokens.value, 10);
        // The answer is asked for first; the conversation is saved alongside.
        const streaming = api.stream('/v1/chat/completions', {
          model: choice, messages: chat.history, stream: true,
          ...(max > 0 ? { max_tokens: max } : {}),
        }, {
          signal: controller.signal,
          onData: (chunk) => {
            const choice0 = chunk.choices && chunk.choices[0];
            const piece = choice0 && choice0.delta && choice0.delta.content;
            if (piece) gotText(piece);
          },
        });
        saving = saveUserMessage(choice, text);
        await streaming;
      }
    } catch (error) {
      if (error.name === 'AbortError') {
        outcome = 'stopped';
      } else {
        outcome = 'error';
        message.el.appendChild(h('p', { class: 'form-error', role: 'alert', testid: 'message-error' }, error.message));
      }
    }
    live.render();
    if (outcome === 'stopped') message.el.appendChild(h('p', { class: 'muted stopped-note' }, 'Stopped.'));
    message.el.setAttribute('data-state', outcome);
    chat.controller = null;
    if (!chat.destroyed) {
      setBusy(false);
      input.focus();
    }
    if (!agent) {
      if (answer) chat.history.push({ role: 'assistant', content: answer });
      try {
        const id = await saving;
        if (id && answer) {
          await api.post('/haven/conversations/' + encodeURIComponent(id) + '/messages',
            { messages: [{ role: 'assistant', content: answer }] });
        }
      } catch (error) {
        if (!chat.destroyed) chatError.textContent = 'The conversation was not saved: ' + error.message;
      }
    }
    if (!chat.destroyed) loadConversations();
  }

  /** Creates the conversation on the first message and appends the user's message; resolves the id. */
  async function saveUserMessage(model, text) {
    try {
      if (!chat.conversation) {
        const title = text.replace(/\s+/g, ' ').trim().slice(0, 60);
        const created = await api.post('/haven/conversations', { model, title });
        chat.conversation = created;
        showInAddressBar('#/chat/' + encodeURIComponent(created.id));
      }
      const id = chat.conversation.id;
      await api.post('/haven/conversations/' + encodeURIComponent(id) + '/messages',
        { messages: [{ role: 'user', content: text }] });
      return id;
    } catch (error) {
      if (!chat.destroyed) chatError.textContent = 'The conversation was not saved: ' + error.message;
      return null;
    }
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim() || chat.controller) return;
    input.value = '';
    sendMessage(text);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  newChat.addEventListener('click', (event) => {
    if (location.hash === '#/chat' || location.hash === '') {
      event.preventDefault();
      if (chat.controller) chat.controller.abort();
      startNew();
      input.focus();
    }
  });
  stop.addEventListener('click', () => {
    if (chat.controller) chat.controller.abort();
  });

  // --- Start ----------------------------------------------------------------------------------
  await loadPicker();
  if (chat.destroyed) return null;
  if (conversationID) {
    await openConversation(conversationID);
    loadConversations();
  } else {
    startNew();
  }
  input.focus();

  return () => {
    chat.ended = true;
    if (chat.controller) chat.controller.abort();
  };
}
