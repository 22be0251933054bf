// What the reports page draws, read from the reports API (/api/v1/reports/intervals|tickets|agents):
// today so far and the same weekday last week by half hour, speed and handle time by channel and
// language, and each agent's occupancy. Days are the client's (or, for every client, the reader's) days.
import {api, locale, me} from './common.js';

export function defaultZone() {
  return me?.timezone || 'UTC';
}

// The wall-clock parts of an instant in a zone.
function partsIn(date, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {timeZone: zone, hourCycle: 'h23', year: 'numeric',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'}).formatToParts(date);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return {year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'),
    second: get('second')};
}

// The instant of 00:00 on a local date in a zone (two passes settle the zone's offset, DST included).
export function localMidnight(year, month, day, zone) {
  let guess = Date.UTC(year, month - 1, day);
  for (let i = 0; i < 2; i += 1) {
    const seen = partsIn(new Date(guess), zone);
    const asUtc = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second);
    guess -= asUtc - Date.UTC(year, month - 1, day);
  }
  return new Date(guess);
}

function dayWindow(offsetDays, zone) {
  const today = partsIn(new Date(), zone);
  const base = new Date(Date.UTC(today.year, today.month - 1, today.day + offsetDays));
  const next = new Date(Date.UTC(today.year, today.month - 1, today.day + offsetDays + 1));
  return {
    from: localMidnight(base.getUTCFullYear(), base.getUTCMonth() + 1, base.getUTCDate(), zone),
    to: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), zone),
    date: base,
  };
}

// 'YYYY-MM' of the last month that has ended in the zone (what a monthly report can be made of).
export function lastEndedMonth(zone) {
  const now = partsIn(new Date(), zone);
  const first = new Date(Date.UTC(now.year, now.month - 2, 1));
  return `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, '0')}`;
}

function slotKey(date, zone) {
  const p = partsIn(date, zone);
  return `${String(p.hour).padStart(2, '0')}:${p.minute < 30 ? '00' : '30'}`;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of [].concat(value)) search.append(name, item instanceof Date ? item.toISOString() : item);
  }
  return search.toString();
}

function report(kind, params) {
  return api('GET', `/reports/${kind}?` + query(params));
}

// Half hours of one day, keyed by their local wall time, and the day's totals.
async function day(client, zone, window) {
  const common = {client, tz: zone, from: window.from, to: window.to};
  const [halves, totals] = await Promise.all([report('intervals', {...common, interval: '30min'}),
    report('tickets', common)]);
  const rows = new Map();
  for (const row of halves.rows) rows.set(slotKey(new Date(row.interval_start), zone), row);
  return {rows, totals: summary(totals.rows[0] || {})};
}

function summary(row) {
  return {created: row.created ?? 0, service_level: row.service_level ?? null, asa_seconds: row.asa_mean_s ?? null,
    aht_seconds: row.aht_s ?? null};
}

const NOTHING = {created: 0, service_level: null};   // a half hour without contacts
const LATER = {created: null, service_level: null};   // a half hour still to come

// Half hours of today (up to now) and of the same weekday a week ago, in the zone's wall time.
export async function today(client, zone) {
  const now = dayWindow(0, zone);
  const before = dayWindow(-7, zone);
  const [current, previous] = await Promise.all([day(client, zone, now), day(client, zone, before)]);
  const slots = [];
  const nowKey = slotKey(new Date(), zone);
  let past = true;
  for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
    const key = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${minutes % 60 ? '30' : '00'}`;
    slots.push({label: key, today: current.rows.get(key) || (past ? NOTHING : LATER),
      lastWeek: previous.rows.get(key) || NOTHING});
    if (key === nowKey) past = false;
  }
  return {
    slots,
    totals: {today: current.totals, lastWeek: previous.totals},
    lastWeekLabel: new Intl.DateTimeFormat(locale, {weekday: 'short', day: 'numeric', month: 'short',
      timeZone: 'UTC'}).format(before.date),
  };
}

// ASA and AHT of today by channel and language.
export async function breakdown(client, zone) {
  const window = dayWindow(0, zone);
  const page = await report('tickets', {client, group: 'channel,language', tz: zone, from: window.from,
    to: window.to});
  const rows = page.rows.filter((row) => row.created || row.handled);
  const cells = new Map(rows.map((row) => [`${row.channel}/${row.language}`, row]));
  const channels = [...new Set(rows.map((row) => row.channel))].sort();
  const languages = [...new Set(rows.map((row) => row.language))].sort();
  return {channels, languages,
    value: (channel, language, metric) => cells.get(`${channel}/${language}`)?.[metric] ?? null};
}

let people = null; // e-mail -> name, for the agents report (which names agents by e-mail)

// Each agent's occupancy today (those logged in available at some point), busiest first.
export async function occupancy(client, zone) {
  const window = dayWindow(0, zone);
  const [page, agents] = await Promise.all([
    report('agents', {client, tz: zone, from: window.from, to: window.to}),
    people ? Promise.resolve(null) : api('GET', '/agents')]);
  if (agents) people = new Map(agents.map((a) => [a.email, a.name]));
  return page.rows.filter((row) => row.occupancy !== null && row.occupancy !== undefined)
    .map((row) => ({name: people.get(row.agent) || row.agent, occupancy: row.occupancy}))
    .sort((a, b) => b.occupancy - a.occupancy);
}

// The service-level goal (%) of a client's policies with an answer target, when they agree on one.
export async function goal(client) {
  if (!client) return null;
  const policies = await api('GET', `/clients/${encodeURIComponent(client)}/sla-policies`);
  const goals = new Set(policies.filter((p) => p.active && p.targets?.answer).map((p) => p.service_level_percent));
  return goals.size === 1 ? [...goals][0] : null;
}
