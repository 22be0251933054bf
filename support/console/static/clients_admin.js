// The client settings page (supervisors read, admins change): the client's custom ticket fields (list,
// create, edit labels and options in English and Spanish, requirement, order, deactivate, delete) and its
// CSAT switch and delay. Everything goes through the REST API; errors show under their field.
import {ApiError, api, connectLive, el, me, option, reportError, setupLocaleSwitch, t, toast} from './common.js';

const $ = (id) => document.getElementById(id);
const TYPES = ['text', 'number', 'select', 'date', 'checkbox'];
const REQUIREMENTS = ['optional', 'on_create', 'before_resolve'];
const admin = me.role === 'admin';
const state = {clients: [], fields: [], editing: null};

const client = () => state.clients.find((c) => c.slug === $('c-client').value);
const slugPath = () => `/clients/${encodeURIComponent($('c-client').value)}`;

async function load() {
  try {
    state.clients = await api('GET', '/clients');
  } catch (err) { reportError(err); return; }
  const wanted = new URLSearchParams(window.location.search).get('client');
  $('c-client').replaceChildren(...state.clients.map((c) => option(c.slug, c.name, c.slug === wanted)));
  await showClient();
}

async function showClient() {
  closeEditor();
  showCsat();
  await loadFields();
}

// ---------- CSAT ----------
function showCsat() {
  const c = client();
  $('csat-enabled').checked = Boolean(c?.csat_enabled);
  $('csat-delay').value = c ? String(c.csat_delay_minutes ?? 60) : '';
  clearErrors('csat-form');
}

async function saveCsat(event) {
  event.preventDefault();
  clearErrors('csat-form');
  const delay = $('csat-delay').value.trim();
  const body = {csat_enabled: $('csat-enabled').checked, csat_delay_minutes: /^\d+$/.test(delay) ? Number(delay) : delay};
  try {
    const saved = await api('PATCH', slugPath(), body);
    Object.assign(client(), {csat_enabled: saved.csat_enabled, csat_delay_minutes: saved.csat_delay_minutes});
    showCsat();
    toast(t(saved.csat_enabled ? 'settings.csat_on' : 'settings.csat_off',
      {client: saved.name, minutes: saved.csat_delay_minutes}));
  } catch (err) { showErrors('csat-form', err); }
}

// ---------- fields ----------
async function loadFields() {
  const slug = $('c-client').value;
  if (!slug) { state.fields = []; renderRows(); return; }
  try {
    const fields = await api('GET', `${slugPath()}/fields${admin ? '?all=true' : ''}`);
    if ($('c-client').value !== slug) return;
    state.fields = fields;
  } catch (err) { state.fields = []; reportError(err); }
  renderRows();
}

function requirementText(field) {
  return t(`settings.required.${field.required}`);
}

function renderRows() {
  const rows = state.fields.map((f) => el('tr', {dataset: {fieldId: f.id, testid: 'field-row'},
    class: [state.editing?.id === f.id ? 'selected' : '', f.active ? '' : 'inactive'].join(' ').trim()},
    el('td', {}, f.label, f.active ? null : el('span', {class: 'badge', dataset: {testid: 'field-inactive'}},
      t('settings.inactive')),
      el('div', {class: 'muted small'}, `EN ${f.label_en} · ES ${f.label_es}`)),
    el('td', {}, el('code', {}, f.name)),
    el('td', {}, t(`settings.type.${f.type}`),
      f.type === 'select' ? el('div', {class: 'muted small'}, f.options.map((o) => o.label).join(', ')) : null),
    el('td', {}, requirementText(f)),
    el('td', {}, el('button', {type: 'button', class: 'link', dataset: {testid: 'field-edit'},
      onclick: () => edit(f)}, t(admin ? 'macros.edit' : 'settings.view')))));
  $('f-rows').replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', {colspan: 5, class: 'empty'}, t('settings.no_fields')))]));
}

function optionRow(value = {}) {
  const input = (name, max, placeholder) => el('input', {type: 'text', maxlength: max, value: value[name] || '',
    placeholder, disabled: !admin, dataset: {option: name, testid: `option-${name}`},
    'aria-label': t(`settings.option.${name}`)});
  const row = el('div', {class: 'option-row', dataset: {testid: 'option-row'}},
    input('value', 40, 'fiber'), input('label_en', 80, 'Fiber'), input('label_es', 80, 'Fibra'),
    admin ? el('button', {type: 'button', class: 'link', dataset: {testid: 'option-remove'},
      'aria-label': t('settings.option.remove'), onclick: () => row.remove()}, '×') : el('span'));
  // an existing option's value is what tickets hold: it stays; a new one is typed
  if (value.value) row.querySelector('[data-option=value]').readOnly = true;
  return row;
}

function showOptionsBox() {
  $('f-options-box').hidden = $('f-type').value !== 'select';
  if (!$('f-options-box').hidden && !$('f-options').children.length) $('f-options').append(optionRow());
}

function edit(field) {
  state.editing = field;
  clearErrors('f-form');
  $('f-editor').hidden = false;
  $('f-editor-title').textContent = field ? t('settings.editing', {label: field.label}) : t('settings.new_field');
  $('f-name').value = field?.name || '';
  $('f-name').disabled = Boolean(field) || !admin;
  $('f-type').value = field?.type || 'text';
  $('f-type').disabled = Boolean(field) || !admin;
  $('f-label-en').value = field?.label_en || '';
  $('f-label-es').value = field?.label_es || '';
  $('f-required').value = field?.required || 'optional';
  $('f-position').value = String(field?.position ?? nextPosition());
  $('f-options').replaceChildren(...(field?.options || []).map(optionRow));
  showOptionsBox();
  for (const id of ['f-label-en', 'f-label-es', 'f-required', 'f-position']) $(id).disabled = !admin;
  $('f-active').hidden = !field || !admin;
  $('f-active').textContent = field?.active === false ? t('settings.activate') : t('settings.deactivate');
  $('f-delete').hidden = !field || !admin;
  renderRows();
  (field ? $('f-label-en') : $('f-name')).focus();
}

function nextPosition() {
  return state.fields.length ? Math.max(...state.fields.map((f) => f.position)) + 10 : 0;
}

function closeEditor() {
  state.editing = null;
  $('f-editor').hidden = true;
  renderRows();
}

function options() {
  return [...document.querySelectorAll('#f-options .option-row')].map((row) => {
    const value = (name) => row.querySelector(`[data-option=${name}]`).value.trim();
    return {value: value('value'), label_en: value('label_en'), label_es: value('label_es')};
  }).filter((o) => o.value || o.label_en || o.label_es);
}

function formData() {
  const position = $('f-position').value.trim();
  const data = {label_en: $('f-label-en').value, label_es: $('f-label-es').value, required: $('f-required').value,
    position: /^\d+$/.test(position) ? Number(position) : position || 0};
  if ($('f-type').value === 'select') data.options = options();
  if (!state.editing) Object.assign(data, {name: $('f-name').value.trim(), type: $('f-type').value});
  return data;
}

async function saveField(event) {
  event.preventDefault();
  clearErrors('f-form');
  const editing = state.editing;
  try {
    const saved = editing ? await api('PATCH', `${slugPath()}/fields/${editing.id}`, formData())
      : await api('POST', `${slugPath()}/fields`, formData());
    toast(t('settings.field_saved', {label: saved.label}));
    await loadFields();
    edit(state.fields.find((f) => f.id === saved.id) || saved);
  } catch (err) { showErrors('f-form', err); }
}

async function toggleActive() {
  const field = state.editing;
  if (!field) return;
  try {
    const saved = await api('PATCH', `${slugPath()}/fields/${field.id}`, {active: !field.active});
    toast(t(saved.active ? 'settings.field_activated' : 'settings.field_deactivated', {label: saved.label}));
    await loadFields();
    edit(state.fields.find((f) => f.id === saved.id) || saved);
  } catch (err) { showErrors('f-form', err); }
}

async function removeField() {
  const field = state.editing;
  if (!field || !window.confirm(t('settings.confirm_delete', {label: field.label}))) return;
  try {
    await api('DELETE', `${slugPath()}/fields/${field.id}`);
    toast(t('settings.field_deleted', {label: field.label}));
    closeEditor();
    await loadFields();
  } catch (err) { showErrors('f-form', err); }
}

// ---------- errors under their fields ----------
function clearErrors(formId) {
  document.querySelectorAll(`#${formId} .field-error`).forEach((node) => { node.textContent = ''; });
}

function flatten(messages) {
  if (Array.isArray(messages)) return messages.flatMap(flatten);
  if (messages && typeof messages === 'object') return Object.values(messages).flatMap(flatten);
  return [String(messages)];
}

function showErrors(formId, err) {
  const fields = err instanceof ApiError ? err.body?.error?.fields : null;
  if (!fields || !Object.keys(fields).length) {
    const node = document.querySelector(`#${formId} .field-error[data-error="_schema"]`);
    if (err instanceof ApiError && err.status >= 400 && err.status < 500 && node) node.textContent = err.message;
    else reportError(err);
    return;
  }
  for (const [name, messages] of Object.entries(fields)) {
    const node = document.querySelector(`#${formId} .field-error[data-error="${name}"]`)
      || document.querySelector(`#${formId} .field-error[data-error="_schema"]`);
    node.textContent = [node.textContent, ...flatten(messages)].filter(Boolean).join(' ');
  }
}

function start() {
  setupLocaleSwitch();
  $('f-type').replaceChildren(...TYPES.map((type) => option(type, t(`settings.type.${type}`))));
  $('f-required').replaceChildren(...REQUIREMENTS.map((r) => option(r, t(`settings.required.${r}`))));
  document.querySelectorAll('.admin-only').forEach((node) => { if (!admin) node.hidden = true; });
  $('csat-enabled').disabled = !admin;
  $('csat-delay').disabled = !admin;
  $('c-client').addEventListener('change', () => showClient().catch(reportError));
  $('csat-form').addEventListener('submit', saveCsat);
  $('f-new').addEventListener('click', () => edit(null));
  $('f-type').addEventListener('change', showOptionsBox);
  $('f-add-option').addEventListener('click', () => {
    const row = optionRow();
    $('f-options').append(row);
    row.querySelector('input').focus();
  });
  $('f-form').addEventListener('submit', saveField);
  $('f-cancel').addEventListener('click', closeEditor);
  $('f-active').addEventListener('click', toggleActive);
  $('f-delete').addEventListener('click', removeField);
  connectLive({}, () => {});
  load();
}

start();
