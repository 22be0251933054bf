// SLA clocks in the console and the dashboard: the nearest clock counting down, in the reader's
// language and zone, with text (not colour alone) when at risk or breached.
import {el, fmtDateTime, fmtTime, labels, locale, serverNow, t} from './common.js';

const durationFormat = typeof Intl.DurationFormat === 'function'
  ? new Intl.DurationFormat(locale, {style: 'narrow'}) : null;
// DurationFormat leaves out zero units, so "0 s" needs its own formatter.
const zeroFormat = durationFormat ? new Intl.DurationFormat(locale, {style: 'narrow', secondsDisplay: 'always'}) : null;

export function fmtSpan(totalSeconds) {
  const s = Math.max(0, Math.round(totalSeconds));
  const parts = s >= 86400 ? {days: Math.floor(s / 86400), hours: Math.floor((s % 86400) / 3600)}
    : s >= 3600 ? {hours: Math.floor(s / 3600), minutes: Math.floor((s % 3600) / 60)}
      : s >= 60 ? {minutes: Math.floor(s / 60), seconds: s % 60} : {seconds: s};
  if (durationFormat) return (s === 0 ? zeroFormat : durationFormat).format(parts);
  return Object.entries(parts).map(([unit, n]) => t(`sla.unit.${unit}`, {n})).join(' ');
}

// 'breached' | 'risk' | 'ok' | 'paused' | null, from a due time and a warning point (ISO strings).
export function stateOf(dueIso, warnIso, paused = false) {
  if (!dueIso) return paused ? 'paused' : null;
  const now = serverNow();
  if (Date.parse(dueIso) <= now) return 'breached';
  if (warnIso && Date.parse(warnIso) <= now) return 'risk';
  return 'ok';
}

function text(state, dueIso, metric) {
  const left = (Date.parse(dueIso) - serverNow()) / 1000;
  const params = {metric, time: fmtSpan(Math.abs(left)), at: fmtTime(dueIso)};
  return t(metric ? `sla.state.${state}` : `sla.short.${state}`, params);
}

// A chip that counts down to the nearest due time; ``tick()`` keeps every chip on the page current.
export function chip({dueIso, warnIso, paused = false, metric = null, long = false}) {
  const state = stateOf(dueIso, warnIso, paused);
  if (!state) return null;
  const node = el('span', {class: `sla-chip sla-${state}`, dataset: {testid: 'sla-chip', slaState: state}});
  Object.assign(node.dataset, {due: dueIso || '', warn: warnIso || '', metric: metric || '', long: long ? '1' : ''});
  render(node);
  return node;
}

function render(node) {
  const {due, warn, metric, long} = node.dataset;
  const state = due ? stateOf(due, warn) : 'paused';
  node.className = `sla-chip sla-${state}`;
  node.dataset.slaState = state;
  node.textContent = state === 'paused' ? (metric ? t('sla.state.paused', {metric}) : t('sla.short.paused'))
    : text(state, due, metric) + (long ? ` · ${fmtDateTime(due)}` : '');
  node.title = due ? fmtDateTime(due) : '';
}

export function tick(root = document) {
  root.querySelectorAll('.sla-chip').forEach(render);
}

// The nearest running clock of a ticket read (``ticket.sla.clocks``).
export function nearest(ticket) {
  const running = (ticket.sla?.clocks || []).filter((c) => !c.stopped_at);
  const ticking = running.filter((c) => c.due_at).sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  return ticking[0] || running.find((c) => c.paused_at) || null;
}

export function ticketChip(ticket) {
  const clock = nearest(ticket);
  if (!clock) return null;
  return chip({dueIso: clock.due_at, warnIso: clock.breached_at ? null : clock.warn_at,
    paused: Boolean(clock.paused_at), metric: clock.metric_label, long: true});
}

// Every clock of the ticket, one line each: metric, status, due (or when it stopped) and time used.
export function clockList(ticket) {
  const clocks = ticket.sla?.clocks || [];
  if (!clocks.length) return [el('li', {class: 'empty'}, t('sla.none'))];
  return clocks.map((c) => el('li', {class: `sla-line status-${c.status}`, dataset: {testid: 'sla-clock'}},
    el('strong', {}, c.metric_label + (c.sequence > 1 ? ` ${c.sequence}` : '')),
    el('span', {class: `badge sla-status-${c.status}`}, c.status_label),
    el('span', {class: 'muted small'}, c.stopped_at ? t('sla.stopped', {at: fmtDateTime(c.stopped_at)})
      : c.due_at ? t('sla.due_at', {at: fmtDateTime(c.due_at)}) : t('sla.no_due')),
    el('span', {class: 'muted small'}, t('sla.used', {time: fmtSpan(c.business_seconds_used),
      target: fmtSpan(c.target_seconds)}))));
}

export {labels};
