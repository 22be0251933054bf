// Files in the thread (inbound and sent ones, downloadable) and files attached to e-mail replies
// (POST /api/v1/tickets/<id>/replies, multipart). File names are only ever put in the page as text.
import {api, el, labels, t} from './common.js';

const $ = (id) => document.getElementById(id);
const EMAIL_CHANNELS = new Set(['email', 'web']);

function size(bytes) {
  if (bytes >= 1024 * 1024) return t('files.mb', {n: (bytes / (1024 * 1024)).toFixed(1)});
  return t('files.kb', {n: Math.max(1, Math.round(bytes / 1024))});
}

export function attachmentList(message) {
  if (!message.attachments?.length) return null;
  return el('ul', {class: 'plain msg-files', dataset: {testid: 'attachments'}}, message.attachments.map((file) =>
    el('li', {}, el('a', {href: file.url, download: file.filename, dataset: {testid: 'attachment'}},
      file.filename), ' ', el('span', {class: 'muted small'}, size(file.size)))));
}

function picker() {
  let box = $('reply-files-box');
  if (box) return box;
  const input = el('input', {type: 'file', id: 'reply-files', multiple: true, dataset: {testid: 'reply-files'},
    class: 'visually-hidden', onchange: listChosen});
  box = el('div', {id: 'reply-files-box', class: 'reply-files', hidden: true},
    el('label', {for: 'reply-files', class: 'file-button'}, t('files.attach')), input,
    el('ul', {id: 'reply-files-chosen', class: 'plain chosen-files small', dataset: {testid: 'chosen-files'}}));
  document.querySelector('#composer .composer-bottom')?.before(box);
  return box;
}

function listChosen() {
  $('reply-files-chosen').replaceChildren(...chosenFiles().map((file) =>
    el('li', {}, file.name, ' ', el('span', {class: 'muted'}, size(file.size)))));
}

export function chosenFiles() {
  return [...($('reply-files')?.files || [])];
}

export function clearFiles() {
  if ($('reply-files')) { $('reply-files').value = ''; listChosen(); }
}

// Files can go with replies by e-mail only (the server says so too).
export function showFilesFor(ticket, kind) {
  const box = picker();
  box.hidden = !(ticket && EMAIL_CHANNELS.has(ticket.channel) && kind === 'reply');
  if (box.hidden) clearFiles();
}

export async function sendWithFiles(ticket, body, target, files) {
  const form = new FormData();
  form.append('body', body);
  const from = ticket.status === 'new' ? 'open' : ticket.status;
  const direct = target && (labels.transitions[from] || []).includes(target);
  if (direct) form.append('status', target);
  for (const file of files) form.append('files', file, file.name);
  await api('POST', `/tickets/${ticket.id}/replies`, form);
  if (target && !direct && target !== from) await api('PATCH', `/tickets/${ticket.id}`, {status: target});
  clearFiles();
}
