// A new offer is announced with a short sound and, when the agent switched it on, a desktop notification
// (the browser asks for permission the first time). The choice is kept in localStorage.
import {t, toast} from './common.js';

const KEY = 'support.offerNotifications';
let audio = null;

function audioContext() {
  if (!audio && window.AudioContext) audio = new window.AudioContext();
  return audio;
}

// Browsers start audio only after a gesture: the first click or key on the page unlocks it.
function unlockAudio() {
  const context = audioContext();
  if (context?.state === 'suspended') context.resume().catch(() => {});
}

export function beep() {
  const context = audioContext();
  if (!context) return;
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.type = 'sine';
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.0001, context.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.2, context.currentTime + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, context.currentTime + 0.35);
  oscillator.connect(gain).connect(context.destination);
  oscillator.start();
  oscillator.stop(context.currentTime + 0.4);
}

export function notificationsOn() {
  return localStorage.getItem(KEY) === 'on' && window.Notification?.permission === 'granted';
}

function desktopNotice(offer) {
  if (!notificationsOn()) return;
  const ticket = offer.ticket || {};
  const notice = new window.Notification(t('offers.notice_title', {number: ticket.number ?? ''}), {
    body: [ticket.customer?.name, ticket.subject, ticket.client_name || ticket.client].filter(Boolean).join(' · '),
    tag: `offer-${offer.id}`, lang: document.documentElement.lang});
  notice.onclick = () => { window.focus(); notice.close(); };
}

export function announceOffer(offer) {
  try { beep(); } catch (err) { console.warn(err); }
  try { desktopNotice(offer); } catch (err) { console.warn(err); }
}

async function toggle(box) {
  if (!box.checked) { localStorage.setItem(KEY, 'off'); return; }
  const permission = window.Notification ? await window.Notification.requestPermission() : 'denied';
  box.checked = permission === 'granted';
  localStorage.setItem(KEY, box.checked ? 'on' : 'off');
  if (!box.checked) toast(t('offers.notify_denied'), 'error');
}

export function setupOfferAlerts() {
  const box = document.getElementById('offer-notify');
  document.addEventListener('pointerdown', unlockAudio, {once: true});
  document.addEventListener('keydown', unlockAudio, {once: true});
  if (!box) return;
  box.closest('label').hidden = !window.Notification;
  box.checked = notificationsOn();
  box.addEventListener('change', () => toggle(box));
}
