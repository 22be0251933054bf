// The lab panel (console: suggested units for the open ticket, my units) and the lab board (dashboard).
// Loaded only when the deployment has the lab (features.lab).
import {api, debounce, el, fmtDateTime, me, reportError, t, toast} from './common.js';

const $ = (id) => document.getElementById(id);

function unitName(unit) {
  return `${unit.asset_tag} · ${unit.model?.maker || ''} ${unit.model?.name || ''}`.trim();
}

export class LabPanel {
  constructor() {
    this.ticket = null;
    this.refreshSoon = debounce(() => this.refresh(), 200);
  }

  showTicket(ticket) {
    this.ticket = ticket;
    this.loadSuggestions();
  }

  async refresh() {
    await Promise.all([this.loadMine(), this.loadSuggestions()]);
  }

  async loadSuggestions() {
    const box = $('lab-suggested');
    if (!this.ticket) { box.replaceChildren(); return; }
    let suggestions = [];
    try { suggestions = await api('GET', `/lab/suggestions?ticket_id=${this.ticket.id}`); } catch (err) { suggestions = []; }
    box.replaceChildren(el('h3', {}, t('lab.suggested')), suggestions.length
      ? el('ul', {class: 'plain lab-list', dataset: {testid: 'lab-suggestions'}}, suggestions.slice(0, 6).map((s) =>
        el('li', {}, el('span', {}, unitName(s.unit)), ' ',
          s.free ? el('button', {type: 'button', dataset: {testid: 'lab-checkout'},
            onclick: () => this.checkout(s.unit)}, t('lab.checkout'))
            : el('span', {class: 'badge'}, s.unit.status_label || s.unit.status))))
      : el('p', {class: 'muted small'}, t('lab.no_suggestions')));
  }

  async loadMine() {
    const list = $('lab-mine');
    let mine = [];
    try { mine = await api('GET', `/lab/checkouts?agent_id=${me.id}&open=true`); } catch (err) { mine = []; }
    list.replaceChildren(...(mine.length ? mine.map((c) => el('li', {class: new Date(c.due_at) < new Date() ? 'overdue' : ''},
      el('span', {}, unitName(c.unit)),
      el('span', {class: 'muted small'}, ` ${t('lab.due', {time: fmtDateTime(c.due_at)})} `),
      el('button', {type: 'button', dataset: {testid: 'lab-return'}, onclick: () => this.giveBack(c.unit)}, t('lab.return'))))
      : [el('li', {class: 'empty'}, t('lab.none'))]));
  }

  async checkout(unit) {
    try {
      await api('POST', `/lab/units/${unit.id}/checkout`, {ticket_id: this.ticket?.id ?? null});
      toast(t('lab.checked_out', {unit: unit.asset_tag}));
      this.refresh();
    } catch (err) { reportError(err); this.refresh(); }
  }

  async giveBack(unit) {
    try {
      await api('POST', `/lab/units/${unit.id}/checkin`, {condition: 'good'});
      toast(t('lab.returned', {unit: unit.asset_tag}));
      this.refresh();
    } catch (err) { reportError(err); this.refresh(); }
  }

  handlers() {
    const again = () => this.refreshSoon();
    return {'lab.checked_out': again, 'lab.returned': again, 'lab.overdue': again, 'lab.hold_ready': again,
      'lab.hold_expired': again, 'lab.return_reminder': again};
  }
}

export class LabBoard {
  constructor() {
    this.loadSoon = debounce(() => this.load(), 300);
  }

  async refresh() {}  // the server sends lab.snapshot on every (re)connect

  async load() {
    try { this.render(await api('GET', '/lab/board')); } catch (err) { reportError(err); }
  }

  render(board) {
    const sites = board.sites || [];
    $('lab-board').replaceChildren(...sites.map((site) => el('div', {class: 'lab-site', dataset: {testid: 'lab-site'}},
      el('h3', {}, site.site.name, ' ', el('span', {class: 'muted small'},
        Object.entries(site.units || {}).filter(([, n]) => n).map(([status, n]) => `${status}: ${n}`).join(' · '))),
      site.checked_out.length ? el('table', {class: 'grid'}, el('tbody', {}, site.checked_out.map((c) =>
        el('tr', {class: c.overdue ? 'overdue' : ''},
          el('td', {}, unitName(c.unit)), el('td', {}, c.agent?.name || ''),
          el('td', {}, c.overdue ? t('lab.overdue') : t('lab.due', {time: fmtDateTime(c.due_at)}))))))
        : el('p', {class: 'muted small'}, t('lab.none')))));
  }

  handlers(addFeed) {
    const handlers = {'lab.snapshot': (board) => this.render(board)};
    for (const name of ['lab.checked_out', 'lab.returned', 'lab.overdue', 'lab.hold_ready', 'lab.hold_expired']) {
      handlers[name] = (payload) => { addFeed(name, payload); this.loadSoon(); };
    }
    return handlers;
  }
}
