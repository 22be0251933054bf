// The open ticket's custom fields and tags: the right input per field type, labels in the agent's language,
// each change saved at once (PATCH /tickets/{id}); tags with suggestions from the client's tickets.
// A 422 that names fields (a resolve blocked by a required field) marks them here (showErrors).
import {ApiError, api, debounce, el, option, reportError, t, toast} from './common.js';

const $ = (id) => document.getElementById(id);
const DEFINITIONS_SECONDS = 60;

export class FieldsPanel {
  constructor(onChanged) {
    this.onChanged = onChanged;   // called with the ticket a PATCH answered
    this.definitions = new Map(); // client slug -> {list: its active fields, at: when read}
    this.ticket = null;
    this.errors = {};             // field name -> message, kept until the ticket changes or the field is saved
    const input = $('tag-input');
    input.addEventListener('keydown', (event) => this.onTagKey(event));
    input.addEventListener('input', debounce(() => this.suggest(), 200));
    input.addEventListener('focus', () => this.suggest());
    input.addEventListener('change', () => { if (this.suggested(input.value)) this.addTag(input.value); });
  }

  // Read again after a minute: an admin may have added or changed a field meanwhile.
  async definitionsOf(client) {
    const known = this.definitions.get(client);
    if (known && Date.now() - known.at < DEFINITIONS_SECONDS * 1000) return known.list;
    const list = await api('GET', `/clients/${encodeURIComponent(client)}/fields`);
    this.definitions.set(client, {list, at: Date.now()});
    return list;
  }

  async showTicket(ticket) {
    if (ticket?.id !== this.ticket?.id) this.errors = {};
    this.ticket = ticket;
    $('fields-panel').hidden = !ticket;
    if (!ticket) return;
    let definitions = [];
    try { definitions = await this.definitionsOf(ticket.client); } catch (err) { reportError(err); }
    if (this.ticket !== ticket) return; // another ticket opened meanwhile
    this.renderFields(definitions, ticket.fields || {});
    this.renderTags(ticket.tags || []);
  }

  renderFields(definitions, values) {
    const list = $('fields-list');
    const active = list.contains(document.activeElement) ? document.activeElement : null;
    const typed = active?.tagName === 'INPUT' && active.type !== 'checkbox' ? active.value : null; // not saved yet
    list.replaceChildren(...definitions.map((definition) => this.row(definition, values[definition.name] ?? null)));
    $('fields-title').hidden = definitions.length === 0; // a client without fields: only its tags
    $('fields-list').hidden = definitions.length === 0;
    if (this.focusInvalid) {
      list.querySelector('.field-row.invalid input, .field-row.invalid select')?.focus();
    } else if (active) { // a live update arrived while the agent was on a field: keep them there
      const again = list.querySelector(`[name="${CSS.escape(active.name)}"]`);
      if (again && typed !== null) again.value = typed;
      again?.focus();
    }
  }

  row(definition, value) {
    const id = `field-${definition.name}`;
    const input = this.input(definition, value, id);
    input.addEventListener('change', () => this.save(definition, readValue(definition, input)));
    const mark = definition.required === 'optional' ? null : el('abbr', {class: 'required-mark',
      title: t(definition.required === 'on_create' ? 'fields.required_create' : 'fields.required_resolve')}, '*');
    const error = this.errors[definition.name];
    return el('div', {class: `field-row type-${definition.type}${error ? ' invalid' : ''}`,
      dataset: {field: definition.name, testid: 'field-row'}},
    el('label', {for: id}, definition.label, mark ? ' ' : '', mark),
    input,
    el('p', {class: 'field-error small', id: `${id}-error`, role: error ? 'alert' : null, hidden: !error}, error || ''));
  }

  input(definition, value, id) {
    const common = {id, name: definition.name, dataset: {testid: `field-${definition.name}`},
      'aria-describedby': `${id}-error`, 'aria-invalid': this.errors[definition.name] ? 'true' : null};
    if (definition.type === 'select') {
      return el('select', common, option('', t('fields.choose'), value === null),
        ...definition.options.map((o) => option(o.value, o.label, o.value === value)));
    }
    if (definition.type === 'checkbox') return el('input', {...common, type: 'checkbox', checked: value === true});
    const types = {text: 'text', number: 'number', date: 'date'};
    const attrs = {...common, type: types[definition.type], value: value === null ? '' : String(value)};
    if (definition.type === 'text') attrs.maxlength = '500';
    if (definition.type === 'number') attrs.step = 'any';
    return el('input', attrs);
  }

  async save(definition, value) {
    const ticket = this.ticket;
    if (!ticket) return;
    try {
      const changed = await api('PATCH', `/tickets/${ticket.id}`, {fields: {[definition.name]: value}});
      delete this.errors[definition.name];
      toast(t('fields.saved', {field: definition.label}));
      this.onChanged(changed);
    } catch (err) {
      this.showErrors(err);
      reportError(err);
      this.showTicket(this.ticket);
    }
  }

  // A 422 naming custom fields (error.fields.fields): mark each of them and focus the first.
  showErrors(err) {
    const named = err instanceof ApiError ? err.body?.error?.fields?.fields : null;
    if (!named || typeof named !== 'object' || Array.isArray(named)) return false;
    for (const [name, messages] of Object.entries(named)) this.errors[name] = [].concat(messages).join(' ');
    // The ticket view renders again after an error: the first marked field takes the focus each time, until
    // the agent moves on (a second or two).
    this.focusInvalid = true;
    setTimeout(() => { this.focusInvalid = false; }, 1500);
    if (this.ticket) this.showTicket(this.ticket);
    return true;
  }

  // ---------- tags ----------
  renderTags(tags) {
    $('tag-list').replaceChildren(...tags.map((tag) => el('li', {class: 'tag-chip', dataset: {testid: 'tag', tag}},
      el('span', {}, tag),
      el('button', {type: 'button', class: 'tag-remove', 'aria-label': t('tags.remove', {tag}),
        onclick: () => this.saveTags(tags.filter((x) => x !== tag))}, '×'))));
  }

  onTagKey(event) {
    const input = event.target;
    if ((event.key === 'Enter' || event.key === ',') && input.value.trim()) {
      event.preventDefault();
      this.addTag(input.value);
    } else if (event.key === 'Backspace' && !input.value && this.ticket?.tags?.length) {
      this.saveTags(this.ticket.tags.slice(0, -1));
    }
  }

  suggested(value) {
    return [...$('tag-suggestions').options].some((o) => o.value === value);
  }

  addTag(value) {
    const tag = value.trim().toLowerCase().replace(/,$/, '');
    $('tag-input').value = '';
    if (!tag || !this.ticket || (this.ticket.tags || []).includes(tag)) return;
    this.saveTags([...(this.ticket.tags || []), tag]);
  }

  async saveTags(tags) {
    const ticket = this.ticket;
    if (!ticket) return;
    try {
      this.onChanged(await api('PATCH', `/tickets/${ticket.id}`, {tags}));
    } catch (err) { reportError(err); }
  }

  async suggest() {
    const ticket = this.ticket;
    const prefix = $('tag-input').value.trim().toLowerCase();
    if (!ticket) return;
    try {
      const found = await api('GET', `/tickets/tags?client=${encodeURIComponent(ticket.client)}&prefix=${
        encodeURIComponent(prefix)}`);
      const taken = new Set(ticket.tags || []);
      $('tag-suggestions').replaceChildren(...found.filter((s) => !taken.has(s.tag)).map((s) => el('option', {value: s.tag})));
    } catch (err) { console.warn(err); }
  }
}

function readValue(definition, input) {
  if (definition.type === 'checkbox') return input.checked;
  const value = input.value.trim();
  return value === '' ? null : value;
}
