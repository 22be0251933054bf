"""The texts customers get: acknowledgements (built-in or the client's own) and e-mail reply framing.

Templates are ``str.format`` strings limited to the placeholders below; anything
else (attribute access, indexing, unknown names) is refused when an admin saves one.
"""
import string

from ..core.i18n import _, _l, force_locale

PLACEHOLDERS = ('number', 'subject', 'name', 'client')

# i18n: subject of the automatic e-mail a customer gets when a ticket opens; keep [#{number}]
DEFAULT_ACK_SUBJECT = _l('We received your request [#{number}]')
# i18n: body of the automatic acknowledgement; {name} customer, {client} company, {subject} the request
DEFAULT_ACK_BODY = _l('Hello {name},\n\n'
                      'Thank you for contacting {client}. We received your request "{subject}" and opened '
                      'ticket #{number}. An agent will answer you as soon as possible.\n\n'
                      'To add information, reply to this message and keep [#{number}] in the subject.\n\n'
                      '{client} Support')


def template_problems(text: str) -> list[str]:
    """Why ``text`` is not a usable template (translated), or an empty list."""
    try:
        fields = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text)
                  if name is not None]
    except ValueError:
        return [_('Braces must be balanced; write {{ and }} for literal braces.')]
    for name, spec, conv in fields:
        if name not in PLACEHOLDERS or spec or conv:
            return [_('Unknown placeholder {{{name}}}; use {placeholders}.').format(
                name=name, placeholders=', '.join('{%s}' % p for p in PLACEHOLDERS))]
    return []


def render(text: str, values: dict) -> str:
    return text.format_map({name: values.get(name, '') for name in PLACEHOLDERS})


def default_ack(language: str) -> tuple[str, str]:
    """The built-in acknowledgement ``(subject, body)`` in ``language``."""
    with force_locale(language):
        return str(DEFAULT_ACK_SUBJECT), str(DEFAULT_ACK_BODY)


def anonymous_name(language: str) -> str:
    with force_locale(language):
        # i18n: how the acknowledgement greets a customer whose name we do not know
        return _('customer')


def reply_subject(language: str, subject: str, number: int) -> str:
    with force_locale(language):
        # i18n: subject of an agent's e-mail reply; keep [#{number}], it threads the customer's answer
        return _('Re: {subject} [#{number}]').format(subject=subject, number=number)


def reply_footer(language: str, number: int) -> str:
    with force_locale(language):
        # i18n: line under every e-mail reply to a customer
        return _('Ticket #{number}. Reply to this e-mail to continue the conversation.').format(number=number)
