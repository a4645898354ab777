// Files: browse /data folders, upload (picker or drag and drop, with progress), download,
// preview text and images, versions with restore, delete, and search.

import { h, replace, clear, append, dataURL, formatBytes, formatDate, table, confirmInline } from '../dom.js';
import * as api from '../api.js';

const TEXT_TYPES = ['application/json', 'application/xml', 'application/javascript', 'application/x-ndjson',
  'application/toml', 'application/yaml', 'application/x-yaml', 'application/x-sh', 'image/svg+xml'];
const TEXT_EXTENSIONS = ['txt', 'md', 'markdown', 'json', 'csv', 'tsv', 'log', 'html', 'htm', 'xml', 'yaml', 'yml',
  'toml', 'ini', 'js', 'mjs', 'css', 'py', 'swift', 'sh', 'c', 'h', 'rs', 'go', 'java', 'eml', 'ics', 'vcf'];
const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'avif', 'bmp', 'ico'];
const PREVIEW_LIMIT = 1 << 20;

function extension(name) {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function isImage(name, type) {
  return (type || '').startsWith('image/') || IMAGE_EXTENSIONS.includes(extension(name));
}

function isText(name, type) {
  const base = (type || '').split(';')[0].trim();
  return base.startsWith('text/') || TEXT_TYPES.includes(base) || TEXT_EXTENSIONS.includes(extension(name));
}

/** The folder a route names: '#/files/a/b%20c/' -> '/a/b c/'. */
function folderFromRoute(rest) {
  const segments = rest.split('/').filter((s) => s !== '').map((s) => {
    try { return decodeURIComponent(s); } catch { return s; }
  });
  return '/' + segments.map((s) => s + '/').join('');
}

export function folderRoute(folder, open) {
  const segments = folder.split('/').filter((s) => s !== '');
  let route = '#/files/' + segments.map((s) => encodeURIComponent(s) + '/').join('');
  if (open) route += '?open=' + encodeURIComponent(open);
  return route;
}

export async function render(container, ctx) {
  const folder = folderFromRoute(ctx.rest);
  const openName = ctx.query.get('open');
  const view = { destroyed: false };

  // --- Layout --------------------------------------------------------------------------------
  const searchInput = h('input', { id: 'search-input', type: 'search', testid: 'search-input', placeholder: 'Search your files' });
  const searchForm = h('form', { class: 'search-form', role: 'search', testid: 'search-form' },
    h('label', { for: 'search-input', class: 'visually-hidden' }, 'Search your files'),
    searchInput,
    h('button', { type: 'submit', testid: 'search-button' }, 'Search'));
  const searchResults = h('div', { class: 'search-results', testid: 'search-results', 'aria-live': 'polite' });

  const crumbs = h('nav', { class: 'breadcrumbs', 'aria-label': 'Folder', testid: 'breadcrumbs' });
  const fileInput = h('input', { id: 'file-upload', type: 'file', multiple: true, testid: 'file-upload', class: 'file-input' });
  const folderInput = h('input', { id: 'new-folder', type: 'text', testid: 'new-folder', placeholder: 'folder name', autocomplete: 'off' });
  const folderForm = h('form', { class: 'inline-form', testid: 'new-folder-form' },
    h('label', { for: 'new-folder' }, 'Open or create a folder'), folderInput,
    h('button', { type: 'submit' }, 'Open'));
  const uploadBar = h('div', { class: 'upload-bar' },
    h('div', { class: 'field' },
      h('label', { for: 'file-upload' }, 'Upload files to ', h('code', null, folder)),
      fileInput),
    folderForm);
  const uploads = h('ul', { class: 'uploads', testid: 'upload-list', 'aria-label': 'Uploads' });
  const listError = h('p', { class: 'form-error', role: 'alert', testid: 'view-error' });
  const list = h('div', { class: 'file-list dropzone', testid: 'file-list', 'aria-label': 'Files in ' + folder, role: 'region' });
  const preview = h('section', { class: 'panel preview', testid: 'file-preview', 'aria-label': 'Preview', hidden: true });
  const versions = h('section', { class: 'panel versions', testid: 'file-versions', 'aria-label': 'Versions', hidden: true });

  replace(container,
    h('div', { class: 'view-head' }, h('h1', null, 'Files'), searchForm),
    searchResults,
    crumbs,
    uploadBar,
    uploads,
    listError,
    h('p', { class: 'hint drop-hint' }, 'Drop files on the list to upload them here.'),
    list,
    preview,
    versions);

  // --- Breadcrumbs ---------------------------------------------------------------------------
  const parts = folder.split('/').filter((s) => s !== '');
  const crumbList = h('ol');
  crumbList.appendChild(h('li', null, parts.length
    ? h('a', { href: folderRoute('/') }, 'All files')
    : h('span', { 'aria-current': 'page' }, 'All files')));
  parts.forEach((part, index) => {
    const path = '/' + parts.slice(0, index + 1).join('/') + '/';
    const last = index === parts.length - 1;
    crumbList.appendChild(h('li', null, last
      ? h('span', { 'aria-current': 'page' }, part)
      : h('a', { href: folderRoute(path) }, part)));
  });
  crumbs.appendChild(crumbList);

  // --- Listing -------------------------------------------------------------------------------
  let entries = [];

  async function load() {
    listError.textContent = '';
    try {
      const listing = await api.get(dataURL(folder));
      entries = listing.entries || [];
    } catch (error) {
      entries = [];
      if (error.status === 404 && folder !== '/') {
        replace(list, h('p', { class: 'muted empty', testid: 'folder-empty' },
          'This folder is empty. Upload files to create it.'));
        return;
      }
      listError.textContent = error.message;
      clear(list);
      return;
    }
    if (view.destroyed) return;
    showEntries();
  }

  function showEntries() {
    if (!entries.length) {
      replace(list, h('p', { class: 'muted empty', testid: 'folder-empty' }, 'No files here yet. Upload some.'));
      return;
    }
    const sorted = [...entries].sort((a, b) =>
      (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'directory' ? -1 : 1));
    replace(list, table([
      {
        title: 'Name', class: 'name', cell: (e) => e.type === 'directory'
          ? h('a', { href: folderRoute(e.path), class: 'folder-link', testid: 'folder-link' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '▸ '), e.name + '/')
          : h('button', { type: 'button', class: 'link-button', testid: 'file-open', onclick: () => showPreview(e) }, e.name),
      },
      { title: 'Size', class: 'num', cell: (e) => (e.type === 'file' ? formatBytes(e.size) : '') },
      { title: 'Modified', cell: (e) => formatDate(e.modified_at) },
      { title: 'Actions', class: 'actions', cell: (e) => (e.type === 'file' ? fileActions(e) : '') },
    ], sorted, {
      testid: 'file-table',
      caption: 'Files in ' + folder,
      rowProps: (e) => ({ testid: 'file-row', 'data-name': e.name, 'data-kind': e.type }),
    }));
  }

  function fileActions(entry) {
    const cell = h('div', { class: 'row-actions' });
    append(cell, [
      h('button', { type: 'button', class: 'small', testid: 'file-preview-button', 'aria-label': 'Preview ' + entry.name, onclick: () => showPreview(entry) }, 'Preview'),
      h('a', { href: dataURL(entry.path), download: entry.name, class: 'button small', testid: 'file-download', 'aria-label': 'Download ' + entry.name }, 'Download'),
      h('button', { type: 'button', class: 'small', testid: 'file-versions-button', 'aria-label': 'Versions of ' + entry.name, onclick: () => showVersions(entry) }, 'Versions'),
      h('button', {
        type: 'button', class: 'small danger', testid: 'file-delete', 'aria-label': 'Delete ' + entry.name,
        onclick: () => confirmInline(cell, `Delete ${entry.name}?`, 'Delete', async () => {
          try {
            await api.del(dataURL(entry.path));
            ctx.announce(`Deleted ${entry.name} (its versions are kept)`);
            if (preview.dataset.path === entry.path) preview.hidden = true;
            await load();
          } catch (error) {
            ctx.showAlert(error.message);
          }
        }),
      }, 'Delete'),
    ]);
    return cell;
  }

  // --- Preview -------------------------------------------------------------------------------
  async function showPreview(entry) {
    preview.hidden = false;
    preview.dataset.path = entry.path;
    const url = dataURL(entry.path);
    const head = h('div', { class: 'panel-head' },
      h('h2', { testid: 'preview-title' }, entry.name),
      h('a', { href: url, download: entry.name, class: 'button small' }, 'Download'),
      h('button', { type: 'button', class: 'small', 'aria-label': 'Close preview', onclick: () => { preview.hidden = true; } }, 'Close'));
    const type = entry.media_type || '';
    if (isImage(entry.name, type)) {
      replace(preview, head, h('img', { src: url, alt: 'Preview of ' + entry.name, class: 'preview-image', testid: 'preview-image' }));
      return;
    }
    const small = entry.size !== null && entry.size <= PREVIEW_LIMIT;
    if (!isText(entry.name, type) && !small) {
      replace(preview, head, h('p', { class: 'muted' }, `No preview for ${type || 'this kind of file'}; download it instead.`));
      return;
    }
    replace(preview, head, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const response = await api.request('GET', url, { raw: true, headers: { Range: `bytes=0-${PREVIEW_LIMIT - 1}` } });
      const bytes = new Uint8Array(await response.arrayBuffer());
      let text;
      try {
        text = new TextDecoder('utf-8', { fatal: !isText(entry.name, type) }).decode(bytes);
      } catch {
        replace(preview, head, h('p', { class: 'muted' }, 'This file is not text; download it instead.'));
        return;
      }
      const truncated = entry.size > PREVIEW_LIMIT;
      replace(preview, head,
        h('pre', { class: 'preview-text', testid: 'preview-text', tabindex: '0' }, text),
        truncated ? h('p', { class: 'muted' }, `Showing the first ${formatBytes(PREVIEW_LIMIT)}.`) : null);
    } catch (error) {
      replace(preview, head, h('p', { class: 'form-error', role: 'alert' }, error.message));
    }
    preview.scrollIntoView({ block: 'nearest' });
  }

  // --- Versions ------------------------------------------------------------------------------
  async function showVersions(entry) {
    versions.hidden = false;
    const url = dataURL(entry.path);
    const head = h('div', { class: 'panel-head' },
      h('h2', null, 'Versions of ', h('span', { testid: 'versions-title' }, entry.name)),
      h('button', { type: 'button', class: 'small', 'aria-label': 'Close versions', onclick: () => { versions.hidden = true; } }, 'Close'));
    let listing;
    try {
      listing = await api.get(url + '?versions');
    } catch (error) {
      replace(versions, head, h('p', { class: 'form-error', role: 'alert' }, error.message));
      return;
    }
    const all = [...(listing.versions || [])].sort((a, b) => b.version - a.version);
    const latest = all.length ? all[0].version : 0;
    replace(versions, head, table([
      { title: 'Version', class: 'num', cell: (v) => String(v.version) },
      { title: 'Saved', cell: (v) => formatDate(v.created_at) },
      { title: 'Size', class: 'num', cell: (v) => (v.deleted ? '' : formatBytes(v.size)) },
      { title: 'By', cell: (v) => v.author || '' },
      {
        title: 'Actions', class: 'actions', cell: (v) => {
          if (v.deleted) return h('span', { class: 'muted' }, 'deleted');
          const cell = h('div', { class: 'row-actions' },
            h('a', { href: `${url}?version=${v.version}`, download: entry.name, class: 'button small', 'aria-label': `Download version ${v.version}` }, 'Download'));
          if (v.version !== latest) {
            cell.appendChild(h('button', {
              type: 'button', class: 'small', testid: 'version-restore', 'aria-label': `Restore version ${v.version}`,
              onclick: () => restore(entry, v),
            }, 'Restore'));
          } else {
            cell.appendChild(h('span', { class: 'badge' }, 'current'));
          }
          return cell;
        },
      },
    ], all, { testid: 'version-table', caption: 'Versions of ' + entry.name, rowProps: (v) => ({ testid: 'version-row', 'data-version': v.version }) }));
  }

  async function restore(entry, version) {
    const url = dataURL(entry.path);
    try {
      const response = await api.request('GET', `${url}?version=${version.version}`, { raw: true });
      const blob = await response.blob();
      const stored = await api.request('PUT', url, {
        body: blob, headers: { 'Content-Type': version.media_type || 'application/octet-stream' },
      });
      ctx.announce(`Restored version ${version.version} of ${entry.name} as version ${stored ? stored.version : 'new'}`);
      await load();
      await showVersions(entry);
    } catch (error) {
      ctx.showAlert(error.message);
    }
  }

  // --- Upload --------------------------------------------------------------------------------
  async function uploadFiles(files) {
    const items = [...files];
    if (!items.length) return;
    const jobs = items.map((file) => {
      const bar = h('progress', { max: '100', value: '0', 'aria-label': 'Upload of ' + file.name });
      const note = h('span', { class: 'upload-note' }, 'Waiting…');
      const row = h('li', { class: 'upload', testid: 'upload-item', 'data-name': file.name, 'data-state': 'waiting' },
        h('span', { class: 'upload-name' }, file.name), bar, note);
      uploads.appendChild(row);
      return { file, bar, note, row };
    });
    // One PUT per file, a few at a time.
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        job.row.setAttribute('data-state', 'uploading');
        try {
          await api.upload(dataURL(folder + job.file.name), job.file, (loaded, total) => {
            const percent = total ? Math.round((loaded / total) * 100) : 100;
            job.bar.value = percent;
            job.note.textContent = `${percent}% of ${formatBytes(total)}`;
          });
          job.bar.value = 100;
          job.note.textContent = 'Uploaded';
          job.row.setAttribute('data-state', 'done');
        } catch (error) {
          job.note.textContent = error.message;
          job.note.setAttribute('role', 'alert');
          job.row.setAttribute('data-state', 'error');
        }
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    const done = jobs.filter((j) => j.row.getAttribute('data-state') === 'done').length;
    ctx.announce(`Uploaded ${done} of ${jobs.length} file${jobs.length === 1 ? '' : 's'}`);
    if (!view.destroyed) await load();
  }

  fileInput.addEventListener('change', () => {
    uploadFiles(fileInput.files).finally(() => { fileInput.value = ''; });
  });
  let dragDepth = 0;
  list.addEventListener('dragenter', (event) => {
    event.preventDefault();
    dragDepth += 1;
    list.classList.add('dragging');
  });
  list.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  list.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) list.classList.remove('dragging');
  });
  list.addEventListener('drop', (event) => {
    event.preventDefault();
    dragDepth = 0;
    list.classList.remove('dragging');
    if (event.dataTransfer && event.dataTransfer.files.length) uploadFiles(event.dataTransfer.files);
  });

  folderForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = folderInput.value.trim().replace(/^\/+|\/+$/g, '');
    if (!name) return;
    location.hash = folderRoute(folder + name + '/');
  });

  // --- Search --------------------------------------------------------------------------------
  searchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = searchInput.value.trim();
    if (!q) {
      clear(searchResults);
      return;
    }
    replace(searchResults, h('p', { class: 'muted' }, 'Searching…'));
    try {
      const answer = await api.get('/haven/search?q=' + encodeURIComponent(q) + '&k=10');
      const hits = answer.hits || [];
      if (!hits.length) {
        replace(searchResults, h('p', { class: 'muted', testid: 'search-empty' }, `Nothing found for “${q}”.`));
        return;
      }
      replace(searchResults,
        h('h2', null, `Results for “${q}”`),
        h('ol', { class: 'hits', testid: 'search-hits' }, hits.map((hit) => {
          const slash = hit.path.lastIndexOf('/');
          const dir = hit.path.slice(0, slash + 1);
          const name = hit.path.slice(slash + 1);
          return h('li', { class: 'hit', testid: 'search-hit' },
            h('a', { href: folderRoute(dir, name) }, hit.path),
            h('p', { class: 'snippet' }, hit.snippet || hit.text || ''));
        })),
        h('button', { type: 'button', class: 'small', onclick: () => clear(searchResults) }, 'Clear results'));
    } catch (error) {
      replace(searchResults, h('p', { class: 'form-error', role: 'alert' }, error.message));
    }
  });

  await load();
  if (openName) {
    const entry = entries.find((e) => e.name === openName && e.type === 'file');
    if (entry) showPreview(entry);
  }
  return () => { view.destroyed = true; };
}
