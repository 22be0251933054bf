"""What the customer reads: the question on each channel, in the ticket's language."""
from dataclasses import dataclass

from ..core.i18n import _, force_locale
from ..tickets.models import Channel
from . import links
from .models import RATING_LABELS, RATINGS


@dataclass(frozen=True)
class Question:
    subject: str
    body: str     # what is sent
    shown: str    # what the ticket's thread shows (no signed links)


def question(ticket, client_name: str, token: str) -> Question:
    with force_locale(ticket.language):
        # i18n: subject of the satisfaction e-mail after a resolve; keep [#{number}], it threads replies
        subject = _('How did we do? [#{number}]').format(number=ticket.number)
        if ticket.channel == Channel.email:
            return _email(ticket, client_name, token, subject)
        # i18n: the satisfaction question on SMS, WhatsApp and chat; the customer answers with one digit
        body = _('{client}: how satisfied are you with how we handled ticket #{number}? Reply with a number '
                 'from 1 (very dissatisfied) to 5 (very satisfied).').format(client=client_name,
                                                                            number=ticket.number)
        return Question(subject, body, body)


def _email(ticket, client_name: str, token: str, subject: str) -> Question:
    name = ticket.customer.name if ticket.customer and ticket.customer.name else _('customer')
    # i18n: first lines of the satisfaction e-mail; {name} the customer, {subject} their request
    intro = _('Hello {name},\n\nWe resolved your request "{subject}" (ticket #{number}). How satisfied are you '
              'with how we handled it? Choose a rating:').format(name=name, subject=ticket.subject,
                                                                       number=ticket.number)
    choices = [f'  {n} - {RATING_LABELS[n]}: {links.url_for_token(token, n)}' for n in reversed(RATINGS)]
    # i18n: last lines of the satisfaction e-mail
    outro = _('The page that opens asks you to confirm it and lets you add a comment. You may also reply to this '
              'e-mail with a number from 1 to 5.\n\n{client} Support').format(client=client_name)
    body = '\n'.join([intro, '', *choices, '', outro])
    shown = '\n'.join([intro, '', *[f'  {n} - {RATING_LABELS[n]}' for n in reversed(RATINGS)], '', outro])
    return Question(subject, body, shown)
