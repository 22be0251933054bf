// The macros page (supervisors): list, create, edit and delete macros with both texts and their
// actions, and preview the texts (made-up data or a ticket) before saving. Errors show under their field.
import {ApiError, api, connectLive, el, label, labels, option, reportError, setupLocaleSwitch, t, toast}
  from './common.js';
import {describeActions} from './macros.js';

const $ = (id) => document.getElementById(id);
const state = {macros: [], clients: [], queues: [], editing: null, definitions: new Map()};

const tags = (text) => text.split(',').map((x) => x.trim()).filter(Boolean);
const clientName = (slug) => (slug ? state.clients.find((c) => c.slug === slug)?.name || slug : t('macros.every_client'));
const queueName = (id) => state.queues.find((q) => q.id === id)?.name;

async function load() {
  try {
    [state.clients, state.queues] = await Promise.all([api('GET', '/clients'), api('GET', '/routing/queues')
      .catch(() => [])]);
    await loadMacros();
  } catch (err) { reportError(err); }
  fillSelects();
}

async function loadMacros() {
  const client = $('m-filter').value;
  state.macros = await api('GET', '/macros' + (client ? `?client=${encodeURIComponent(client)}` : ''));
  renderRows();
}

function fillSelects() {
  const filter = $('m-filter').value;
  $('m-filter').replaceChildren(option('', t('macros.all_clients')),
    ...state.clients.map((c) => option(c.slug, c.name, c.slug === filter)));
  $('m-client').replaceChildren(option('', t('macros.every_client')), ...state.clients.map((c) => option(c.slug, c.name)));
  $('m-status').replaceChildren(option('', t('macros.no_change')),
    ...['open', 'pending', 'resolved'].map((s) => option(s, label('status', s))));
  $('m-priority').replaceChildren(option('', t('macros.no_change')),
    ...Object.keys(labels.priority).map((p) => option(p, label('priority', p))));
  fillQueues();
}

function fillQueues(selected) {
  const client = $('m-client').value || null;
  const queues = state.queues.filter((q) => q.client === null || q.client === undefined || q.client === client);
  $('m-queue').replaceChildren(option('', t('macros.no_transfer')),
    ...queues.map((q) => option(String(q.id), q.name, q.id === selected)));
}

// The custom fields of the macro's client, each an input of its type; empty means "no change".
async function fillFields(values = {}) {
  const client = $('m-client').value;
  const box = $('m-fields');
  if (!client) { box.replaceChildren(); return; }
  if (!state.definitions.has(client)) {
    try { state.definitions.set(client, await api('GET', `/clients/${encodeURIComponent(client)}/fields`)); }
    catch (err) { state.definitions.set(client, []); }
  }
  if ($('m-client').value !== client) return;
  box.replaceChildren(...state.definitions.get(client).map((d) => el('label', {class: 'field'}, d.label,
    fieldInput(d, values[d.name]))));
}

function fieldInput(definition, value) {
  const attrs = {dataset: {field: definition.name, type: definition.type, testid: `macro-field-${definition.name}`}};
  const shown = value === undefined || value === null ? '' : String(value);
  if (definition.type === 'select' || definition.type === 'checkbox') {
    const choices = definition.type === 'select' ? definition.options.map((o) => [o.value, o.label])
      : [['true', t('macros.field_yes')], ['false', t('macros.field_no')]];
    return el('select', attrs, option('', t('macros.no_change')), ...choices.map(([v, text]) => option(v, text, v === shown)));
  }
  const type = {number: 'number', date: 'date'}[definition.type] || 'text';
  return el('input', {...attrs, type, value: shown, step: type === 'number' ? 'any' : null});
}

function fieldValues() {
  const values = {};
  for (const input of document.querySelectorAll('#m-fields [data-field]')) {
    if (input.value === '') continue;
    const type = input.dataset.type;
    values[input.dataset.field] = type === 'number' ? Number(input.value) : type === 'checkbox'
      ? input.value === 'true' : input.value;
  }
  return values;
}

function renderRows() {
  const rows = state.macros.map((m) => el('tr', {dataset: {macroId: m.id, testid: 'macro-row'},
    class: state.editing?.id === m.id ? 'selected' : ''},
    el('td', {}, m.title),
    el('td', {}, m.client_name || t('macros.every_client')),
    el('td', {}, t(m.kind === 'note' ? 'thread.note' : 'thread.reply'),
      el('div', {class: 'muted small'}, [m.body_en ? 'EN' : '', m.body_es ? 'ES' : ''].filter(Boolean).join(' · '))),
    el('td', {class: 'actions-cell'}, describeActions(m.actions, queueName(m.actions.queue_id)) || '—'),
    el('td', {}, el('button', {type: 'button', class: 'link', dataset: {testid: 'macro-edit'},
      onclick: () => edit(m)}, t('macros.edit')))));
  $('m-rows').replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', {colspan: 5, class: 'empty'}, t('macros.none')))]));
}

function edit(macro) {
  state.editing = macro;
  clearErrors();
  $('m-preview-box').hidden = true;
  $('m-editor').hidden = false;
  $('m-editor-title').textContent = macro ? t('macros.editing', {title: macro.title}) : t('macros.new');
  $('m-title').value = macro?.title || '';
  $('m-client').value = macro ? macro.client || '' : ($('m-filter').value || state.clients[0]?.slug || '');
  document.querySelector(`input[name=m-kind][value=${macro?.kind || 'reply'}]`).checked = true;
  $('m-body-en').value = macro?.body_en || '';
  $('m-body-es').value = macro?.body_es || '';
  const actions = macro?.actions || {};
  $('m-status').value = actions.status || '';
  $('m-priority').value = actions.priority || '';
  $('m-add-tags').value = (actions.add_tags || []).join(', ');
  $('m-remove-tags').value = (actions.remove_tags || []).join(', ');
  fillQueues(actions.queue_id);
  fillFields(actions.fields || {});
  $('m-delete').hidden = !macro;
  renderRows();
  $('m-title').focus();
}

function formData() {
  return {
    client: $('m-client').value || null, title: $('m-title').value,
    kind: document.querySelector('input[name=m-kind]:checked').value,
    body_en: $('m-body-en').value, body_es: $('m-body-es').value,
    actions: {status: $('m-status').value || null, priority: $('m-priority').value || null,
      add_tags: tags($('m-add-tags').value), remove_tags: tags($('m-remove-tags').value),
      queue_id: $('m-queue').value ? Number($('m-queue').value) : null, fields: fieldValues()},
  };
}

function clearErrors() {
  document.querySelectorAll('#m-form .field-error').forEach((node) => { node.textContent = ''; });
}

// {field: [messages]} or nested ({actions: {queue_id: [...]}}) as text under each field.
function flatten(messages) {
  if (Array.isArray(messages)) return messages.flatMap(flatten);
  if (messages && typeof messages === 'object') return Object.values(messages).flatMap(flatten);
  return [String(messages)];
}

function showErrors(err) {
  const fields = err instanceof ApiError ? err.body?.error?.fields : null;
  if (!fields || !Object.keys(fields).length) { reportError(err); return; }
  for (const [name, messages] of Object.entries(fields)) {
    const node = document.querySelector(`#m-form .field-error[data-error="${name}"]`)
      || document.querySelector('#m-form .field-error[data-error="_schema"]');
    node.textContent = [node.textContent, ...flatten(messages)].filter(Boolean).join(' ');
  }
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  const editing = state.editing;
  try {
    const saved = editing ? await api('PATCH', `/macros/${editing.id}`, formData())
      : await api('POST', '/macros', formData());
    toast(t('macros.saved', {title: saved.title}));
    await loadMacros();
    edit(state.macros.find((m) => m.id === saved.id) || saved);
  } catch (err) { showErrors(err); }
}

async function remove() {
  const macro = state.editing;
  if (!macro || !window.confirm(t('macros.confirm_delete', {title: macro.title}))) return;
  try {
    await api('DELETE', `/macros/${macro.id}`);
    toast(t('macros.deleted', {title: macro.title}));
    state.editing = null;
    $('m-editor').hidden = true;
    await loadMacros();
  } catch (err) { reportError(err); }
}

async function preview() {
  clearErrors();
  const data = formData();
  const ticket = Number($('m-ticket').value);
  const body = {body_en: data.body_en, body_es: data.body_es, ...(ticket ? {ticket_id: ticket} : {}),
    ...(data.client ? {client: data.client} : {})};
  try {
    const shown = await api('POST', '/macros/preview', body);
    $('m-preview-en').textContent = shown.body_en || '—';
    $('m-preview-es').textContent = shown.body_es || '—';
    $('m-preview-box').hidden = false;
  } catch (err) {
    $('m-preview-box').hidden = true;
    if (err instanceof ApiError && err.status === 404) {
      document.querySelector('#m-form .field-error[data-error="ticket_id"]').textContent = err.message;
    } else showErrors(err);
  }
}

function start() {
  setupLocaleSwitch();
  $('m-filter').addEventListener('change', () => loadMacros().catch(reportError));
  $('m-client').addEventListener('change', () => {
    fillQueues(Number($('m-queue').value) || null);
    fillFields(fieldValues());
  });
  $('m-new').addEventListener('click', () => edit(null));
  $('m-form').addEventListener('submit', save);
  $('m-cancel').addEventListener('click', () => { state.editing = null; $('m-editor').hidden = true; renderRows(); });
  $('m-delete').addEventListener('click', remove);
  $('m-preview').addEventListener('click', preview);
  connectLive({}, () => {});
  load();
}

start();
