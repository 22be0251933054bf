// CSAT in the ticket view: the question's state and the customer's answer, updated live (docs/csat.md).
import {el, fmtDateTime, label, me, t, toast} from './common.js';

const $ = (id) => document.getElementById(id);

function stars(rating) {
  return el('span', {class: 'csat-stars', 'aria-hidden': 'true'},
    ...[1, 2, 3, 4, 5].map((n) => el('span', {class: n <= rating ? 'on' : 'off'}, '★')));
}

function answerView(response) {
  return [
    el('p', {class: `csat-rating ${response.satisfied ? 'good' : 'bad'}`, dataset: {testid: 'csat-rating'}},
      stars(response.rating), ' ', t('csat.rating', {rating: response.rating}),
      ' · ', t(`csat.label.${response.rating}`)),
    response.comment ? el('blockquote', {class: 'csat-comment', dataset: {testid: 'csat-comment'}}, response.comment)
      : null,
    el('p', {class: 'muted small'}, [t(`csat.via.${response.via}`), label('channel', response.channel),
      response.agent ? t('csat.agent', {name: response.agent.name}) : '', fmtDateTime(response.answered_at)]
      .filter(Boolean).join(' · ')),
  ];
}

function stateView(survey) {
  const when = {scheduled: survey.due_at, sent: survey.sent_at}[survey.status];
  return [el('p', {class: 'muted', dataset: {testid: 'csat-status'}},
    t(`csat.status.${survey.status}`, {when: when ? fmtDateTime(when) : ''})),
  survey.failure ? el('p', {class: 'muted small'}, survey.failure) : null];
}

// The panel for ``ticket.csat`` (hidden when nobody was or will be asked).
export function showCsat(ticket) {
  const panel = $('csat-panel');
  if (!panel) return;
  const survey = ticket?.csat;
  panel.hidden = !survey;
  if (!survey) return;
  $('csat').replaceChildren(...(survey.response ? answerView(survey.response) : stateView(survey)));
}

// Live: an answer for the open ticket shows at once (then the thread and story reload with the reply that
// carried it); one attributed to me is announced anyway.
export function csatHandlers(current, reload) {
  const apply = (ticketId, change) => {
    const ticket = current();
    if (!ticket || ticket.id !== ticketId) return false;
    ticket.csat = {...(ticket.csat || {}), ...change};
    showCsat(ticket);
    return true;
  };
  return {
    'csat.received': ({ticket, csat, event}) => {
      const shown = apply(ticket.id, {status: 'answered', response: csat});
      if (event === 'rating' && (shown || csat.agent?.id === me.id)) {
        toast(t('csat.received', {number: ticket.number, rating: csat.rating}));
      }
      const panel = $('csat-panel');
      if (shown && panel) { panel.classList.remove('flash'); void panel.offsetWidth; panel.classList.add('flash'); }
      if (shown && event === 'rating') reload?.();
    },
    'csat.sent': ({ticket, survey}) => apply(ticket.id, survey),
  };
}
