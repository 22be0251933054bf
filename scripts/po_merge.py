"""A git merge driver for gettext catalogs: the union of both sides' messages.

Two branches that each add translations touch the same sorted file; a text merge
conflicts although nothing contradicts. This driver keeps every message of either side
and, where both changed one message differently, ours. Install it once per clone:

    git config merge.po-union.driver "python3 scripts/po_merge.py %O %A %B"

(`.gitattributes` names it for *.po and *.pot; without the config git merges as text.)
"""
import sys

from babel.messages.pofile import read_po, write_po


def _read(path):
    with open(path, 'rb') as handle:
        try:
            return read_po(handle, locale='es')
        except Exception:  # an unreadable base (file added on both sides)
            return None


def main(base_path, ours_path, theirs_path):
    base, ours, theirs = _read(base_path), _read(ours_path), _read(theirs_path)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id)
        if mine is None:
            ours[message.id] = message
            continue
        before = base.get(message.id) if base is not None else None
        if before is not None and mine.string == before.string and message.string != before.string:
            mine.string = message.string
            mine.flags = set(message.flags)
        elif not mine.string and message.string:
            mine.string = message.string
            mine.flags.discard('fuzzy')
    with open(ours_path, 'wb') as handle:
        write_po(handle, ours, width=0, sort_output=True, omit_header=False, no_location=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:4]))
