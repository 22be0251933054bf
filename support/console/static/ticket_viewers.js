// Who else has the open ticket: the console says which ticket it shows (ticket.view over /live, repeated as a
// heartbeat and after every reconnect) and shows a warning when other agents have it open (ticket.viewers).
import {el, me, t} from './common.js';

const HEARTBEAT_MS = 30000;
let socket = null;
let watching = null;
let timer = null;

function send(event, ticketId) {
  if (socket?.connected && ticketId) socket.emit(event, {ticket_id: ticketId}, (answer) => {
    if (answer?.ok && event === 'ticket.view') show({ticket_id: ticketId, viewers: answer.viewers});
  });
}

function banner() {
  let node = document.getElementById('t-viewers');
  if (!node) {
    node = el('p', {id: 't-viewers', class: 'viewers-warning', role: 'status', dataset: {testid: 'viewers-warning'},
      hidden: true});
    document.querySelector('#ticket-view .ticket-head')?.after(node);
  }
  return node;
}

function show({ticket_id: ticketId, viewers}) {
  if (ticketId !== watching) return;
  const others = (viewers || []).filter((v) => v.id !== me.id).map((v) => v.name);
  const node = banner();
  node.textContent = others.length ? t('viewers.warning', {names: others.join(', ')}) : '';
  node.hidden = !others.length;
}

// The ticket now shown (null: none). Leaving the previous one is the server's business (one per connection).
export function watchTicket(ticketId) {
  if (ticketId === watching) return;
  const previous = watching;
  watching = ticketId;
  banner().hidden = true;
  clearInterval(timer);
  if (ticketId) {
    send('ticket.view', ticketId);
    timer = setInterval(() => send('ticket.view', watching), HEARTBEAT_MS);
  } else send('ticket.leave', previous);
}

export function setupViewers(liveSocket) {
  socket = liveSocket;
  socket.on('connect', () => send('ticket.view', watching)); // rooms are per connection: join again
}

export function viewerHandlers() {
  return {'ticket.viewers': show};
}
