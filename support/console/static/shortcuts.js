// The console's keyboard shortcuts and their help overlay ("?"). Single keys never fire while the agent types
// in a field (input, textarea, select, contenteditable) or holds Ctrl/Alt/Cmd; Escape closes the overlay.
import {el, isTyping, t} from './common.js';

// [keys shown, translation key of what they do, action name or null when another module handles the key]
export const SHORTCUTS = [
  [['a'], 'keys.accept', 'accept'],
  [['d'], 'keys.decline', 'decline'],
  [['r'], 'keys.reply', 'reply'],
  [['n'], 'keys.note', 'note'],
  [['m'], 'keys.macro', 'macro'],
  [['e'], 'keys.resolve', 'resolve'],
  [['j'], 'keys.next', 'next'],
  [['k'], 'keys.previous', 'previous'],
  [['/'], 'keys.search', null],  // search.js
  [['Ctrl', 'Enter'], 'keys.send', null],
  [['?'], 'keys.help', 'help'],
  [['Esc'], 'keys.close', null],
];

const BY_KEY = new Map(SHORTCUTS.filter(([keys, , action]) => keys.length === 1 && action)
  .map(([keys, , action]) => [keys[0], action]));

function helpDialog() {
  let dialog = document.getElementById('shortcuts-help');
  if (dialog) return dialog;
  dialog = el('dialog', {id: 'shortcuts-help', class: 'shortcuts-help', dataset: {testid: 'shortcuts-help'},
    'aria-labelledby': 'shortcuts-help-title'},
    el('h2', {id: 'shortcuts-help-title'}, t('keys.title')),
    el('dl', {class: 'shortcut-list'}, SHORTCUTS.flatMap(([keys, what]) => [
      el('dt', {}, keys.flatMap((key, i) => [i ? '+' : '', el('kbd', {}, key)])), el('dd', {}, t(what))])),
    el('p', {class: 'muted small'}, t('keys.typing')),
    el('form', {method: 'dialog'}, el('button', {type: 'submit', class: 'primary', dataset: {testid: 'shortcuts-close'}},
      t('keys.close_button'))));
  document.body.append(dialog);
  return dialog;
}

export function showHelp() {
  const dialog = helpDialog();
  if (!dialog.open) dialog.showModal();
}

export function setupShortcuts(actions) {
  actions.help = showHelp;
  document.getElementById('shortcuts-open')?.addEventListener('click', showHelp);
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || isTyping(event) || event.altKey || event.ctrlKey || event.metaKey) return;
    if (document.getElementById('shortcuts-help')?.open && event.key !== '?') return; // the dialog has the keys
    const action = actions[BY_KEY.get(event.key)];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
