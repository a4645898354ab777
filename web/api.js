// Same-origin calls to the Haven API. The session lives in an HttpOnly cookie; the page never
// holds a token. A 401 anywhere means the session is gone.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let unauthorizedHandler = () => {};
let signedIn = false;

/** What to do when a request answers 401 while signed in. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export function setSignedIn(value) {
  signedIn = value;
}

async function errorFrom(response) {
  let code = 'http_' + response.status;
  let message = `${response.status} ${response.statusText || 'error'}`;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message);
}

function noticeUnauthorized(status) {
  if (status === 401 && signedIn) {
    signedIn = false;
    unauthorizedHandler();
  }
}

/** fetch() that turns error answers into ApiError and notices 401. */
export async function request(method, path, { body, headers, signal, raw } = {}) {
  const init = { method, headers: { ...(headers || {}) }, credentials: 'same-origin', signal };
  if (body !== undefined) {
    if (body instanceof Blob || body instanceof ArrayBuffer) {
      init.body = body;
    } else {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The server could not be reached: ' + error.message);
  }
  if (!response.ok) {
    noticeUnauthorized(response.status);
    throw await errorFrom(response);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  if (type.includes('json')) return response.json();
  return response.text();
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options) => request('POST', path, { ...options, body });
export const del = (path, options) => request('DELETE', path, options);

/**
 * POSTs `body` and reads the answer as server-sent events, calling onData(parsed JSON) for each
 * `data:` line until `data: [DONE]` or the end. Resolves true when [DONE] arrived.
 */
export async function stream(path, body, { signal, onData }) {
  const response = await request('POST', path, { body, signal, raw: true, headers: { Accept: 'text/event-stream' } });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  try {
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) break;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trimStart();
        if (data === '[DONE]') {
          done = true;
          continue;
        }
        let event;
        try {
          event = JSON.parse(data);
        } catch {
          continue;
        }
        if (event && event.error) {
          throw new ApiError(500, event.error.code || 'stream_error', event.error.message || 'the stream failed');
        }
        onData(event);
      }
    }
  } finally {
    reader.releaseLock();
  }
  return done;
}

/**
 * POSTs `body` and reads the answer as NDJSON (one JSON object per line), calling onData(parsed)
 * for each line until the end. A refusal before the stream starts rejects with ApiError.
 */
export async function ndjson(path, body, { signal, onData }) {
  const response = await request('POST', path, { body, signal, raw: true, headers: { Accept: 'application/x-ndjson' } });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const emit = (line) => {
    if (!line.trim()) return;
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    onData(event);
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        emit(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
      }
    }
    emit(buffer + decoder.decode());
  } finally {
    reader.releaseLock();
  }
}

/**
 * PUT one file with XMLHttpRequest, so that upload progress can be shown.
 * Resolves with the stored version's JSON; rejects with ApiError.
 */
export function upload(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.withCredentials = false;
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve(body);
      } else {
        noticeUnauthorized(xhr.status);
        const error = body && body.error ? body.error : {};
        reject(new ApiError(xhr.status, error.code || 'http_' + xhr.status, error.message || `${xhr.status} ${xhr.statusText}`));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload failed: the server could not be reached'));
    xhr.send(file);
  });
}
