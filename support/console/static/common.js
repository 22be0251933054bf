// Shared by the console and the dashboard: page data, translations, the API, the live socket, DOM helpers.
// Data from the server is only ever put into the page with textContent / text nodes, never as HTML.

const page = JSON.parse(document.getElementById('page-data').textContent);
export const me = page.me;
export const features = page.features;
export const labels = page.labels;
export const locale = page.locale;
let csrfToken = page.csrf;
let clockSkew = 0; // server time minus browser time, in ms

export function t(key, params = {}) {
  const text = page.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function label(kind, value) {
  return (labels[kind] && labels[kind][value]) || value || '';
}

export function serverNow() {
  return Date.now() + clockSkew;
}

export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

function learnSkew(response) {
  const date = Date.parse(response.headers.get('Date') || '');
  if (!Number.isNaN(date)) {
    const skew = date - Date.now();
    clockSkew = Math.abs(skew) > 2000 ? skew : 0; // the header has 1 s precision: ignore small drift
  }
}

async function refreshCsrf() {
  try {
    const response = await fetch('/api/v1/auth/csrf', {credentials: 'same-origin'});
    csrfToken = (await response.json()).csrf_token;
  } catch (err) {
    throw new ApiError(0, null, t('error.network')); // the server is restarting: callers retry later
  }
}

export async function api(method, path, body, retried = false) {
  const options = {method, credentials: 'same-origin', headers: {Accept: 'application/json'}};
  if (method !== 'GET') options.headers['X-CSRFToken'] = csrfToken;
  if (body instanceof FormData) {
    options.body = body; // multipart: the browser writes the Content-Type with its boundary
  } else if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  let response;
  let text;
  try {
    response = await fetch('/api/v1' + path, options);
    text = await response.text(); // a connection cut mid-body fails here, not in fetch()
  } catch (err) {
    throw new ApiError(0, null, t('error.network'));
  }
  learnSkew(response);
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (err) { json = null; }
  if (response.status === 401) {
    window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
  }
  if (response.status === 400 && json?.error?.code === 'csrf_failed' && !retried) {
    await refreshCsrf();
    return api(method, path, body, true);
  }
  if (!response.ok) throw new ApiError(response.status, json, json?.error?.message || t('error.generic'));
  return json;
}

// el('li', {class: 'x', dataset: {id: 1}, onclick: fn}, 'text', child) — text is always text.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== 'string') node[name] = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function option(value, text, selected = false) {
  const node = el('option', {value}, text);
  node.selected = selected;
  return node;
}

const dateTimeFormat = new Intl.DateTimeFormat(locale, {
  timeZone: me?.timezone || 'UTC', dateStyle: 'medium', timeStyle: 'short'});
const timeFormat = new Intl.DateTimeFormat(locale, {
  timeZone: me?.timezone || 'UTC', hour: '2-digit', minute: '2-digit', second: '2-digit'});

export function fmtDateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : '';
}

export function fmtTime(isoOrMs) {
  return timeFormat.format(new Date(isoOrMs));
}

export function fmtDuration(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return t('seconds', {n: s});
  if (s < 3600) return t('minutes', {m: Math.floor(s / 60), s: s % 60});
  return t('hours', {h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60)});
}

const TOASTS_SHOWN = 3;

// Toasts never pile up: the same text is not shown twice, the oldest goes when a fourth comes; a click dismisses.
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  for (const shown of box.children) if (shown.textContent === String(message)) shown.remove();
  const item = el('div', {class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status',
    onclick: () => item.remove()}, message);
  box.append(item);
  while (box.children.length > TOASTS_SHOWN) box.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

export function reportError(err) {
  if (err instanceof ApiError && err.status === 0) console.warn(err.message); // offline: we retry on reconnect
  else console.error(err);
  toast(err instanceof ApiError ? err.message : t('error.generic'), 'error');
}

export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

function setLiveStatus(state) {
  const node = document.getElementById('live-status');
  node.className = `live-status ${state}`;
  node.textContent = t(`live.${state}`);
  document.body.dataset.live = state;
}

// Connects to /live with the session cookie; on every (re)connect the server sends a fresh
// snapshot and `onConnect` reloads what REST gives, so nothing is missed while offline.
export function connectLive(handlers, onConnect) {
  const socket = window.io('/live', {reconnectionDelay: 500, reconnectionDelayMax: 3000});
  socket.on('connect', () => { setLiveStatus('connected'); onConnect?.(); });
  socket.on('disconnect', () => setLiveStatus('disconnected'));
  socket.on('connect_error', () => {
    setLiveStatus('disconnected');
    if (!socket.active) { // refused by the server (session over): find out and go to the login page
      api('GET', '/auth/me').then(() => setTimeout(() => socket.connect(), 2000)).catch(() => {});
    }
  });
  for (const [name, handler] of Object.entries(handlers)) {
    socket.on(name, (payload) => {
      try { handler(payload, name); } catch (err) { console.error(name, err); }
    });
  }
  return socket;
}

export function setupLocaleSwitch() {
  const select = document.getElementById('locale-switch');
  select?.addEventListener('change', async () => {
    try {
      await api('PATCH', '/auth/me', {locale: select.value});
      window.location.reload();
    } catch (err) { reportError(err); }
  });
}

export function isTyping(event) {
  const target = event.target;
  return target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}
