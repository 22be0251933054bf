"""Merge Spanish translations given as a Python dict into translations/es/LC_MESSAGES/messages.po.

Usage: python scripts/translate.py FILE.py   (FILE defines ES = {"English": "Español", ...})
Existing translations are kept: a different one for a message already translated is refused
(the same English text is used elsewhere, e.g. a ticket status) unless --replace is given.
The catalog is rewritten sorted.
"""
import os
import runpy
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PO = os.path.join(ROOT, 'translations', 'es', 'LC_MESSAGES', 'messages.po')


def main(path, replace=False):
    import fcntl
    new = runpy.run_path(path)['ES']
    with open(PO + '.lock', 'w') as lock:  # several people may add translations at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _merge(new, replace)


def _merge(new, replace=False):
    if os.path.exists(PO):
        with open(PO, 'rb') as f:
            catalog = read_po(f, locale='es')
    else:
        catalog = Catalog(locale='es', project='support', language_team='es <support@example.com>')
    refused = []
    for msgid, msgstr in new.items():
        msgstr = tuple(msgstr) if isinstance(msgid, tuple) else msgstr
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        existing = catalog.get(key)
        if existing is not None:  # Catalog.add keeps an existing entry's (maybe empty) string
            if existing.string and existing.string != msgstr and not replace:
                refused.append(f'{key!r} is already {existing.string!r} (not {msgstr!r}): '
                               'use another English text, or --replace')
                continue
            existing.string = msgstr
            existing.flags.discard('fuzzy')
        else:
            catalog.add(msgid, msgstr)
    catalog.fuzzy = False
    os.makedirs(os.path.dirname(PO), exist_ok=True)
    with open(PO, 'wb') as f:
        write_po(f, catalog, width=0, sort_output=True, omit_header=False, no_location=True)
    for line in refused:
        print('kept:', line, file=sys.stderr)
    return 1 if refused else 0


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--replace']
    sys.exit(main(args[0], replace='--replace' in sys.argv[1:]))
