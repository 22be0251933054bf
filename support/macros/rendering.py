"""Macro texts are Jinja templates, checked when saved and rendered in a sandbox over plain data.

What a text may use is a whitelist read from the parsed template (``check``): the placeholders
``customer``, ``ticket``, ``agent`` and ``client`` with their attributes, conditions, loops over
the data, ``~`` and a few text filters. Everything else (calls, arithmetic, ``set``, imports,
names starting with ``_``) is refused when saved with a message naming the line. Rendering
(``render``) runs in Jinja's ``SandboxedEnvironment`` with attribute access limited to the
keys of the data, and turns any failure into a 422: a missing value renders empty.
"""
import functools

from flask_babel import format_date
from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from ..core.errors import ValidationFailed
from ..core.i18n import _, force_locale
from ..tickets.models import PRIORITY_LABELS, Priority
from ..tickets.states import Status

MAX_TEMPLATE = 5000
MAX_RENDERED = 20000  # what a message body holds (tickets.schemas.MessageCreateSchema)

# The placeholders and their attributes (documented in docs/macros.md; shown by the management page).
PLACEHOLDERS = {
    'customer': ('name', 'first_name', 'email', 'phone', 'handle'),
    'ticket': ('number', 'subject', 'status', 'priority', 'channel', 'language', 'product', 'tags', 'created',
               'fields'),
    'agent': ('name', 'first_name', 'email'),
    'client': ('name', 'slug'),
}
FILTERS = frozenset({'upper', 'lower', 'title', 'capitalize', 'trim', 'default', 'd', 'truncate', 'replace',
                     'join', 'first', 'last', 'length', 'count', 'wordcount', 'string'})
TESTS = frozenset({'defined', 'undefined', 'none', 'number', 'string', 'sameas', 'eq', 'equalto', 'ne', 'in',
                   'true', 'false'})
_ALLOWED = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr, nodes.Getitem,
            nodes.Const, nodes.Filter, nodes.Test, nodes.If, nodes.CondExpr, nodes.Compare, nodes.Operand,
            nodes.And, nodes.Or, nodes.Not, nodes.Concat, nodes.For, nodes.Keyword)
# What a refused construct is called in the message (the rest by their node name).
_SHOWN = {'Call': '( )', 'Mul': '*', 'Pow': '**', 'Add': '+', 'Sub': '-', 'Div': '/', 'FloorDiv': '//',
          'Mod': '%', 'Assign': 'set', 'AssignBlock': 'set', 'Macro': 'macro', 'CallBlock': 'call',
          'Import': 'import', 'FromImport': 'import', 'Include': 'include', 'Extends': 'extends',
          'Block': 'block', 'With': 'with', 'FilterBlock': 'filter', 'Slice': ':', 'List': '[ ]',
          'Dict': '{ }', 'Tuple': '( , )', 'Neg': '-', 'Pos': '+'}


class _Env(SandboxedEnvironment):
    """Attributes are the keys of the data dicts (never a method of a dict or a string)."""

    def getattr(self, obj, attribute):
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj, argument):
        if isinstance(obj, dict) and isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, (list, tuple, str)) and isinstance(argument, int) and -len(obj) <= argument < len(obj):
            return obj[argument]
        return self.undefined(obj=obj, name=str(argument))


def _finalize(value):
    return '' if value is None else value


_ENV = _Env(undefined=ChainableUndefined, autoescape=False, finalize=_finalize, keep_trailing_newline=True)
_ENV.globals.clear()  # no range(), dict(), lipsum(), cycler(), joiner(), namespace()
_replace = _ENV.filters['replace']


def _bounded_replace(eval_ctx, value, old, new, count=None):
    """``replace`` is the one allowed filter whose result can outgrow its input: it stops at a message's size."""
    return _replace(eval_ctx, value, old, new, count)[:MAX_RENDERED + 1]


_bounded_replace.jinja_pass_arg = _replace.jinja_pass_arg
_ENV.filters['replace'] = _bounded_replace


def check(text: str) -> list[str]:
    """What is wrong with a macro text, as translated messages (empty: it may be saved)."""
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        return [_('Line {line}: this is not a valid template; check that every {output} and {tag} is closed.')
                .format(line=exc.lineno, output='{{ }}', tag='{% %}')]
    problems = []
    _walk(tree, frozenset(PLACEHOLDERS), problems)
    return list(dict.fromkeys(problems))


def _walk(node, names: frozenset, problems: list) -> None:
    problem = _problem(node, names)
    if problem:
        problems.append(problem)
        return
    if isinstance(node, nodes.For):
        _walk(node.iter, names, problems)
        targets = [node.target, *node.target.find_all(nodes.Name)]
        inner = names | {'loop'} | {n.name for n in targets if isinstance(n, nodes.Name)}
        for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
            _walk(child, inner, problems)
        return
    for child in node.iter_child_nodes():
        _walk(child, names, problems)


def _problem(node, names: frozenset) -> str | None:
    line = node.lineno
    if not isinstance(node, _ALLOWED):
        shown = _SHOWN.get(type(node).__name__, type(node).__name__.lower())
        return _('Line {line}: "{what}" is not allowed in a macro; use placeholders, conditions and filters.'
                 ).format(line=line, what=shown)
    if isinstance(node, nodes.Getattr) and node.attr.startswith('_') or (
            isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
            and str(node.arg.value).startswith('_')):
        return _('Line {line}: names starting with "_" are not allowed.').format(line=line)
    if isinstance(node, nodes.Name) and node.ctx == 'load' and node.name not in names:
        return _('Line {line}: unknown placeholder "{name}"; use {known}.').format(
            line=line, name=node.name, known=', '.join(PLACEHOLDERS))
    if isinstance(node, nodes.Filter) and node.name not in FILTERS:
        return _('Line {line}: the filter "{name}" is not allowed; use one of: {filters}.').format(
            line=line, name=node.name, filters=', '.join(sorted(FILTERS)))
    if isinstance(node, nodes.Test) and node.name not in TESTS:
        return _('Line {line}: the test "{name}" is not allowed.').format(line=line, name=node.name)
    if isinstance(node, nodes.For) and not isinstance(node.iter, (nodes.Name, nodes.Getattr, nodes.Getitem)):
        return _('Line {line}: a loop may only go over a placeholder (such as ticket.tags).').format(line=line)
    if isinstance(node, nodes.For) and any(True for _inner in node.find_all(nodes.For)):
        return _('Line {line}: a loop inside a loop is not allowed.').format(line=line)
    return None


@functools.lru_cache(maxsize=256)
def _compiled(text: str):
    return _ENV.from_string(text)


def render(text: str, context: dict, field: str = 'body') -> str:
    """The text filled in from ``context``; a text that cannot be rendered is a 422 on ``field``."""
    if not text:
        return ''
    problems = check(text)
    if problems:
        raise ValidationFailed(fields={field: problems})
    try:
        rendered = _compiled(text).render(context)
    except Exception:  # noqa: BLE001 (whatever a template does at run time, the caller gets a 422, not a 500)
        raise ValidationFailed(fields={field: [_('This text could not be filled in for this ticket.')]})
    if len(rendered) > MAX_RENDERED:
        raise ValidationFailed(fields={field: [_('Filled in, this text is longer than {max} characters.')
                                               .format(max=MAX_RENDERED)]})
    return rendered


def trial(text: str) -> list[str]:
    """``check``, then a trial fill-in over made-up data (a filter given a wrong argument fails only then)."""
    problems = check(text)
    if problems or not text:
        return problems
    try:
        _compiled(text).render(sample_context(None))
    except Exception:  # noqa: BLE001
        return [_('This text could not be filled in for a sample ticket; check the filters and their arguments.')]
    return []


def _first_name(name: str | None) -> str | None:
    return name.split()[0] if name and name.split() else None


def context_for(ticket, agent, fields: dict | None = None) -> dict:
    """The data a text is rendered over, labels in the ticket's language (plain values, no objects)."""
    customer, client = ticket.customer, ticket.client
    with force_locale(ticket.language):
        status, priority = str(ticket.status.label), str(PRIORITY_LABELS[ticket.priority])
        created = format_date(ticket.created_at, 'long')
    return {
        'customer': {'name': customer.name, 'first_name': _first_name(customer.name), 'email': customer.email,
                     'phone': customer.phone, 'handle': customer.handle},
        'ticket': {'number': ticket.number, 'subject': ticket.subject, 'status': status, 'priority': priority,
                   'channel': ticket.channel.value, 'language': ticket.language, 'product': ticket.product,
                   'tags': list(ticket.tags or []), 'created': created, 'fields': dict(fields or {})},
        'agent': {'name': agent.name, 'first_name': _first_name(agent.name), 'email': agent.email},
        'client': {'name': client.name, 'slug': client.slug},
    }


def sample_context(agent, client=None, language: str = 'en') -> dict:
    """Made-up data to preview a draft without a ticket (the management page)."""
    spanish = language == 'es'
    with force_locale(language):
        status, priority = str(Status.open.label), str(PRIORITY_LABELS[Priority.normal])
    return {
        'customer': {'name': 'María López' if spanish else 'John Miller',
                     'first_name': 'María' if spanish else 'John', 'email': 'customer@example.com',
                     'phone': '+15550100', 'handle': None},
        'ticket': {'number': 1234, 'subject': 'Sin internet' if spanish else 'No internet', 'status': status,
                   'priority': priority, 'channel': 'email', 'language': language, 'product': None,
                   'tags': [], 'created': '', 'fields': {}},
        'agent': {'name': agent.name if agent else 'Ana Agent', 'first_name': _first_name(agent.name) if agent
                  else 'Ana', 'email': agent.email if agent else 'agent@example.com'},
        'client': {'name': client.name if client else 'Acme', 'slug': client.slug if client else 'acme'},
    }
