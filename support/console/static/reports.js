// The reports page: charts a supervisor reads at a glance, drawn with Chart.js (vendor/chart.umd.min.js)
// from the reports API, and the clients' monthly PDF reports. Reloaded every minute and on reconnect.
import {api, connectLive, el, fmtDuration, label, locale, option, reportError, setupLocaleSwitch, t,
  toast} from './common.js';
import * as data from './reports_data.js';

const $ = (id) => document.getElementById(id);
const Chart = window.Chart;
const COLORS = {today: '#1f6feb', lastWeek: '#9aa5b5', en: '#1f6feb', es: '#0f766e', occupancy: '#b45309',
  goal: '#c62828'};
const REFRESH_MS = 60000;
const charts = {};
const state = {clients: [], client: '', loading: null};
const number = new Intl.NumberFormat(locale);
const percent = new Intl.NumberFormat(locale, {style: 'percent', maximumFractionDigits: 1});

Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
Chart.defaults.color = '#5d6878';
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.animation.duration = window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 0 : 250;
Chart.defaults.plugins.legend.labels.boxWidth = 12;
Chart.defaults.onResize = fitTimeTicks;

function fmtShare(value) {
  return value === null || value === undefined ? '—' : percent.format(value);
}

function fmtSeconds(value) {
  return value === null || value === undefined ? '—' : fmtDuration(Math.round(value));
}

// One chart per canvas, replaced in place so a reload does not stack charts.
function draw(id, config, summary) {
  const canvas = $(id);
  canvas.setAttribute('aria-label', summary);
  canvas.dataset.points = String(config.data.datasets.reduce(
    (n, set) => n + set.data.filter((v) => v !== null && v !== undefined).length, 0));
  if (charts[id]) {
    charts[id].data = config.data;
    charts[id].options = config.options;
    charts[id].update();
  } else {
    charts[id] = new Chart(canvas, config);
  }
}

const NICE_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

// A seconds axis with round steps (10 s, 1 min, 5 min...) so its labels read as durations.
function secondsAxis(largest) {
  const stepSize = NICE_SECONDS.find((step) => largest / step <= 5) || 86400;
  return {beginAtZero: true, suggestedMax: stepSize, ticks: {stepSize, callback: (value) => fmtDuration(value)}};
}

function timeAxis() {
  const narrow = window.innerWidth < 600;
  return {ticks: {maxTicksLimit: narrow ? 5 : 12, maxRotation: 0, autoSkip: true, autoSkipPadding: 12}};
}

// Half-hour labels thin out when a chart narrows (a phone turned, a window resized).
function fitTimeTicks(chart, size) {
  const ticks = chart.options.scales?.x?.ticks;
  if (ticks && ticks.autoSkipPadding) ticks.maxTicksLimit = size.width < 500 ? 5 : 12;
}

// ---------- today against the same weekday last week ----------
function drawToday(today, goal) {
  const labelsX = today.slots.map((slot) => slot.label);
  const line = {cubicInterpolationMode: 'monotone', pointRadius: 0, pointHitRadius: 6};
  draw('c-volume', {
    type: 'bar',
    data: {labels: labelsX, datasets: [
      {label: t('reports.today'), data: today.slots.map((s) => s.today.created), backgroundColor: COLORS.today},
      {label: t('reports.last_week', {date: today.lastWeekLabel}), data: today.slots.map((s) => s.lastWeek.created),
        type: 'line', borderColor: COLORS.lastWeek, backgroundColor: COLORS.lastWeek, ...line},
    ]},
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}, x: timeAxis()},
      interaction: {mode: 'index', intersect: false}},
  }, t('reports.volume_summary', {today: number.format(today.totals.today.created),
    last_week: number.format(today.totals.lastWeek.created)}));
  const datasets = [
    {label: t('reports.today'), data: today.slots.map((s) => pct(s.today.service_level)), borderColor: COLORS.today,
      backgroundColor: COLORS.today, spanGaps: true, ...line, pointRadius: 2},
    {label: t('reports.last_week', {date: today.lastWeekLabel}), data: today.slots.map((s) => pct(s.lastWeek.service_level)),
      borderColor: COLORS.lastWeek, backgroundColor: COLORS.lastWeek, borderDash: [5, 4], spanGaps: true, ...line},
  ];
  if (goal) {
    datasets.push({label: t('reports.goal', {goal}), data: today.slots.map(() => goal), borderColor: COLORS.goal,
      backgroundColor: COLORS.goal, borderWidth: 1, pointRadius: 0, borderDash: [2, 3]});
  }
  draw('c-sl', {
    type: 'line',
    data: {labels: labelsX, datasets},
    options: {scales: {y: {min: 0, max: 100, ticks: {callback: (v) => `${v} %`}}, x: timeAxis()},
      interaction: {mode: 'index', intersect: false}},
  }, t('reports.sl_summary', {today: fmtShare(today.totals.today.service_level),
    last_week: fmtShare(today.totals.lastWeek.service_level)}));
  tiles(today.totals);
}

function pct(share) {
  return share === null || share === undefined ? null : Math.round(share * 1000) / 10;
}

function tiles(totals) {
  const now = totals.today;
  const before = totals.lastWeek;
  $('tile-volume').textContent = number.format(now.created);
  $('tile-volume-prev').textContent = t('reports.last_week_value', {value: number.format(before.created)});
  $('tile-sl').textContent = fmtShare(now.service_level);
  $('tile-sl-prev').textContent = t('reports.last_week_value', {value: fmtShare(before.service_level)});
  $('tile-asa').textContent = fmtSeconds(now.asa_seconds);
  $('tile-asa-prev').textContent = t('reports.last_week_value', {value: fmtSeconds(before.asa_seconds)});
  $('tile-aht').textContent = fmtSeconds(now.aht_seconds);
  $('tile-aht-prev').textContent = t('reports.last_week_value', {value: fmtSeconds(before.aht_seconds)});
}

// ---------- ASA and AHT by channel and language ----------
function drawBreakdown(breakdown) {
  const channels = breakdown.channels;
  const xLabels = channels.map((c) => label('channel', c));
  for (const [id, metric, title] of [['c-asa', 'asa_mean_s', 'reports.asa'], ['c-aht', 'aht_s', 'reports.aht']]) {
    const datasets = breakdown.languages.map((lang) => ({
      label: label('language', lang),
      data: channels.map((c) => breakdown.value(c, lang, metric)),
      backgroundColor: COLORS[lang] || COLORS.lastWeek,
    }));
    const largest = Math.max(0, ...datasets.flatMap((set) => set.data.filter((v) => v !== null)));
    draw(id, {type: 'bar', data: {labels: xLabels, datasets},
      options: {scales: {y: secondsAxis(largest)},
        plugins: {tooltip: {callbacks: {label: (ctx) => `${ctx.dataset.label}: ${fmtSeconds(ctx.parsed.y)}`}}}}},
    t(title) + ': ' + channels.map((c) => breakdown.languages.map((lang) =>
      `${label('channel', c)} ${label('language', lang)} ${fmtSeconds(breakdown.value(c, lang, metric))}`).join(', '))
      .join('; '));
  }
}

// ---------- agent occupancy ----------
function drawOccupancy(agents) {
  const box = $('c-occupancy').parentElement;
  box.style.height = `${Math.max(180, 60 + agents.length * 28)}px`;
  draw('c-occupancy', {
    type: 'bar',
    data: {labels: agents.map((a) => a.name), datasets: [{label: t('reports.occupancy'),
      data: agents.map((a) => pct(a.occupancy)), backgroundColor: COLORS.occupancy}]},
    options: {indexAxis: 'y', scales: {x: {min: 0, max: 100, ticks: {callback: (v) => `${v} %`}}},
      plugins: {legend: {display: false},
        tooltip: {callbacks: {label: (ctx) => `${fmtShare(agents[ctx.dataIndex].occupancy)}`}}}},
  }, t('reports.occupancy') + ': ' + agents.map((a) => `${a.name} ${fmtShare(a.occupancy)}`).join(', '));
}

// ---------- monthly reports ----------
function monthlyRow(report) {
  const figures = report.figures || {};
  const pdf = report.pdf_url
    ? el('a', {href: report.pdf_url, download: '', 'data-testid': 'monthly-pdf'}, t('reports.download'))
    : '';
  return el('tr', {dataset: {reportId: report.id}, 'data-testid': 'monthly-row'},
    el('td', {}, clientName(report.client)),
    el('td', {}, monthName(report.month)),
    el('td', {class: `status-${report.status}`}, t(`reports.status.${report.status}`)),
    el('td', {class: 'num wide-only'}, figures.volume ? number.format(figures.volume.created) : '—'),
    el('td', {class: 'num'}, fmtShare(figures.service_level?.share)),
    el('td', {}, pdf));
}

function clientName(slug) {
  return state.clients.find((c) => c.slug === slug)?.name || slug;
}

function monthName(month) {
  const [year, number_] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, {year: 'numeric', month: 'long', timeZone: 'UTC'})
    .format(new Date(Date.UTC(year, number_ - 1, 1)));
}

async function loadMonthly() {
  const query = state.client ? `?client=${encodeURIComponent(state.client)}` : '';
  const page = await api('GET', `/reports/monthly${query}`);
  const rows = page.items.map(monthlyRow);
  $('monthly-rows').replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', {colspan: 6, class: 'empty'}, t('reports.no_monthly')))]));
}

async function makeMonthly(event) {
  event.preventDefault();
  const month = $('monthly-month').value;
  const client = state.client;
  if (!client) { toast(t('reports.pick_client'), 'error'); return; }
  if (!month) return;
  try {
    const report = await api('POST', '/reports/monthly', {client, month});
    toast(t('reports.requested', {client: clientName(client), month: monthName(report.month)}));
    await loadMonthly();
  } catch (err) { reportError(err); }
}


// ---------- loading ----------
function zoneOfSelection() {
  const client = state.clients.find((c) => c.slug === state.client);
  return client?.timezone || data.defaultZone();
}

async function reload() {
  if (state.loading) return state.loading;
  const zone = zoneOfSelection();
  $('r-context').textContent = t('reports.context', {zone});
  state.loading = (async () => {
    try {
      const [today, breakdown, agents, goal] = await Promise.all([
        data.today(state.client, zone), data.breakdown(state.client, zone), data.occupancy(state.client, zone),
        data.goal(state.client)]);
      drawToday(today, goal);
      drawBreakdown(breakdown);
      drawOccupancy(agents);
      await loadMonthly();
      document.body.dataset.reportsLoaded = String(Date.now());
    } catch (err) { reportError(err); } finally { state.loading = null; }
  })();
  return state.loading;
}

async function start() {
  setupLocaleSwitch();
  state.clients = await api('GET', '/clients');
  const select = $('r-client');
  select.replaceChildren(option('', t('reports.all_clients')),
    ...state.clients.map((c) => option(c.slug, c.name)));
  if (state.clients.length === 1) {
    state.client = state.clients[0].slug;
    select.value = state.client;
  }
  select.addEventListener('change', () => { state.client = select.value; reload(); });
  $('monthly-month').value = data.lastEndedMonth(zoneOfSelection());
  $('monthly-form').addEventListener('submit', makeMonthly);
  connectLive({'report.ready': () => loadMonthly().catch(reportError)}, reload);
  setInterval(reload, REFRESH_MS);
}

start().catch(reportError);
