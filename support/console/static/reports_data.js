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

async function intervals(client, zone, window) {
  const page = await api('GET', '/reports/intervals?' + query({client, interval: '30min', tz: zone,
    from: window.from, to: window.to}));
  const rows = new Map();
  for (const row of page.items) rows.set(slotKey(new Date(row.start), zone), row);
  return {rows, totals: page.totals || {}};
}

const EMPTY = {created: null, service_level: null};

// Half hours of today (up to now) and of the same weekday a week ago, in the zone's wall time.
export async function today(client, zone) {
  const now = dayWindow(0, zone);
  const before = dayWindow(-7, zone);
  const [current, previous] = await Promise.all([intervals(client, zone, now), intervals(client, zone, before)]);
  const slots = [];
  for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
    const key = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${minutes % 60 ? '30' : '00'}`;
    slots.push({label: key, today: current.rows.get(key) || EMPTY, lastWeek: previous.rows.get(key) || EMPTY});
  }
  return {
    slots,
    totals: {today: current.totals, lastWeek: previous.totals},
    goalPercent: current.totals.goal_percent || null,
    lastWeekLabel: new Intl.DateTimeFormat(locale, {weekday: 'short', day: 'numeric', month: 'short',
      timeZone: 'UTC'}).format(before.date),
  };
}

// ASA and AHT of today by channel and language.
export async function breakdown(client, zone) {
  const window = dayWindow(0, zone);
  const page = await api('GET', '/reports/tickets?' + query({client, group: ['channel', 'language'], tz: zone,
    from: window.from, to: window.to}));
  const cells = new Map(page.items.map((row) => [`${row.channel}/${row.language}`, row]));
  const channels = [...new Set(page.items.map((row) => row.channel))].sort();
  const languages = [...new Set(page.items.map((row) => row.language))].sort();
  return {channels, languages, value: (channel, language, metric) => cells.get(`${channel}/${language}`)?.[metric] ?? null};
}

// Each agent's occupancy today, busiest first.
export async function occupancy(client, zone) {
  const window = dayWindow(0, zone);
  const page = await api('GET', '/reports/agents?' + query({client, tz: zone, from: window.from, to: window.to}));
  return page.items.filter((row) => row.occupancy !== null && row.occupancy !== undefined)
    .map((row) => ({name: row.agent_name || row.name || String(row.agent_id), occupancy: row.occupancy}))
    .sort((a, b) => b.occupancy - a.occupancy);
}
