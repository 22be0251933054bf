"""The translation check: every extracted message has a Spanish translation with the same placeholders."""
import os
import re
import tempfile

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_PLACEHOLDER = re.compile(r'\{[a-zA-Z_][a-zA-Z0-9_]*\}|%\([a-zA-Z_]+\)[sd]')


def extract_catalog():
    """Extract the messages of the current source tree (not the committed .pot)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'messages.pot')
        CommandLineInterface().run(['pybabel', '-q', 'extract', '-F', os.path.join(ROOT, 'babel.cfg'),
                                    '-k', '_l', '-k', '_n:1,2', '-o', pot, os.path.join(ROOT, 'support')])
        with open(pot, 'rb') as handle:
            return read_po(handle)


def problems(translations_dir: str, locale: str = 'es') -> list[str]:
    """Every message missing, fuzzy or with different placeholders in ``locale``."""
    with open(os.path.join(translations_dir, locale, 'LC_MESSAGES', 'messages.po'), 'rb') as handle:
        catalog = read_po(handle, locale=locale)
    found = []
    for message in extract_catalog():
        if not message.id:
            continue
        translated = catalog.get(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if translated is None or not translated.string or translated.fuzzy:
            found.append(f'{locale}: no translation for {ids[0]!r}')
            continue
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        if not all(strings):
            found.append(f'{locale}: incomplete plural translation for {ids[0]!r}')
        for text in strings:
            if set(_PLACEHOLDER.findall(text)) != set(_PLACEHOLDER.findall(ids[-1])):
                found.append(f'{locale}: placeholders differ in {ids[0]!r} → {text!r}')
    return found
