// The macro picker of the ticket view: the macros of the ticket's client; picking one fills the
// reply box with its text rendered on the server for this ticket (in its language) and shows
// what it will change; sending applies it (the agent's edited text, the actions, one request).
import {api, label, option, reportError, t} from './common.js';

const $ = (id) => document.getElementById(id);

export function describeActions(actions, queueName) {
  const parts = [];
  if (actions.status) parts.push(t('macro.action.status', {status: label('status', actions.status)}));
  if (actions.priority) parts.push(t('macro.action.priority', {priority: label('priority', actions.priority)}));
  if (actions.add_tags?.length) parts.push(t('macro.action.add_tags', {tags: actions.add_tags.join(', ')}));
  if (actions.remove_tags?.length) parts.push(t('macro.action.remove_tags', {tags: actions.remove_tags.join(', ')}));
  if (actions.queue_id) parts.push(t('macro.action.queue', {queue: queueName || actions.queue || actions.queue_id}));
  const fields = Object.entries(actions.fields || {});
  if (fields.length) {
    parts.push(t('macro.action.fields', {fields: fields.map(([name, value]) => `${name} = ${value ?? '—'}`).join(', ')}));
  }
  return parts.join(' · ');
}

export class MacroPicker {
  constructor({setKind}) {
    this.setKind = setKind;
    this.byClient = new Map(); // client slug -> [macros]
    this.picked = null;        // {ticketId, macro, preview}
    this.select = $('macro');
    this.select.addEventListener('change', () => this.pick(this.select.value));
    $('body').addEventListener('input', () => { if (!$('body').value.trim()) this.clear(); });
    $('macro-clear').addEventListener('click', () => { this.clear(); $('body').value = ''; $('body').focus(); });
  }

  async load(ticket) {
    this.clear();
    this.ticket = ticket;
    this.select.replaceChildren(option('', t('macro.pick')));
    if (!this.byClient.has(ticket.client)) {
      try { this.byClient.set(ticket.client, await api('GET', `/tickets/${ticket.id}/macros`)); }
      catch (err) { this.byClient.set(ticket.client, []); }
    }
    if (this.ticket?.id !== ticket.id) return;
    const macros = this.byClient.get(ticket.client);
    this.select.disabled = !macros.length;
    this.select.replaceChildren(option('', t(macros.length ? 'macro.pick' : 'macro.none')),
      ...macros.map((m) => option(String(m.id), m.title)));
  }

  async pick(value) {
    const ticket = this.ticket;
    const macro = (this.byClient.get(ticket?.client) || []).find((m) => String(m.id) === value);
    if (!macro) { this.clear(); return; }
    try {
      const preview = await api('GET', `/tickets/${ticket.id}/macros/${macro.id}/preview`);
      if (this.ticket?.id !== ticket.id) return;
      this.picked = {ticketId: ticket.id, macro, preview};
      $('body').value = preview.body;
      this.setKind(preview.kind);
      const actions = describeActions(preview.actions);
      $('macro-actions-text').textContent = actions ? t('macro.on_send', {actions}) : t('macro.no_actions');
      $('macro-actions').hidden = false;
      $('composer').dataset.macro = macro.id;
    } catch (err) { reportError(err); this.clear(); }
  }

  clear() {
    this.picked = null;
    this.select.value = '';
    $('macro-actions').hidden = true;
    delete $('composer').dataset.macro;
  }

  active(ticket) {
    return this.picked && this.picked.ticketId === ticket.id ? this.picked.macro : null;
  }

  // Apply the picked macro with the text as the agent left it (and the files, an e-mail reply with them:
  // one multipart request); returns the ticket summary after it.
  async apply(ticket, body, kind, files = []) {
    const macro = this.active(ticket);
    let result;
    if (files.length) {
      const form = new FormData();
      form.append('body', body);
      for (const file of files) form.append('files', file, file.name);
      result = await api('POST', `/tickets/${ticket.id}/macros/${macro.id}/apply-with-files`, form);
    } else result = await api('POST', `/tickets/${ticket.id}/macros/${macro.id}/apply`, {body, kind});
    this.clear();
    return result;
  }
}
