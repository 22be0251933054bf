"""Search text, the same on every backend: folding, stemming, reading a query, highlighting.

A text is folded (accents removed, case folded) and stemmed in its own language (Snowball,
the algorithms PostgreSQL's ``english``/``spanish`` configurations use); a text of no known
language is stemmed both ways. A query word is stemmed both ways, so it finds an English or
a Spanish text by its stem ("modems" finds "módem", "reinicié" finds "reiniciar"). Names,
e-mail addresses, phones and handles are folded but not stemmed.

PostgreSQL stems in the database (``search_index``); SQLite stores what ``document_terms``
returns in FTS5 tables. Highlights are computed here for both, on the original text.
"""
import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer

LANGUAGES = {'en': 'english', 'es': 'spanish'}
MAX_TERMS = 16
SNIPPET_WIDTH = 160
WORD = re.compile(r'\w+')
# A query token: a "phrase" (an unbalanced quote runs to the end), OR / |, or a word (with
# hyphens, dots, @ or apostrophes inside: "e-mail", "ana.diaz@example.com"), a trailing * for a
# prefix; - or ! before a word or phrase (at its start) leaves it out. Anything else separates.
TOKEN = re.compile(r'''(?P<neg>(?<![^\s(])[-!]+)?(?:"(?P<phrase>[^"]*)"?|(?P<or>\bOR\b|\|)|'''
                   r'''(?P<word>\w+(?:[-'.@+]\w+)*)(?P<star>:?\*)?)''')
_local = threading.local()


def fold(text: str) -> str:
    """Lower case without accents: "Teléfono" → "telefono" (what ``unaccent`` + ``lower`` do)."""
    if text.isascii():
        return text.lower()  # nothing to decompose, and casefold is lower for ASCII
    decomposed = unicodedata.normalize('NFKD', text)
    return ''.join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


_fold_word = functools.lru_cache(maxsize=100_000)(fold)


def _stemmer(language: str):
    stemmers = getattr(_local, 'stemmers', None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(LANGUAGES[language])
    return stemmers[language]


@functools.lru_cache(maxsize=100_000)
def stem(folded_word: str, language: str) -> str:
    return _stemmer(language).stemWord(folded_word)


def document_languages(language: str | None) -> tuple[str, ...]:
    """The languages a text is stemmed in: its own, or both when it has none we know."""
    return (language,) if language in LANGUAGES else ('es', 'en')


def document_terms(text: str | None, language: str | None) -> str:
    """What SQLite's FTS5 index holds for a text: its stems, in order, once per language."""
    words = [fold(w) for w in WORD.findall(text or '')]
    return ' '.join(' '.join(stem(w, lang) for w in words) for lang in document_languages(language))


def name_terms(*values: str | None) -> str:
    """What the index holds for a customer: the folded words of name, e-mail, phone and handle."""
    return ' '.join(fold(w) for value in values for w in WORD.findall(value or ''))


@dataclass(frozen=True)
class Term:
    """A word or a phrase of the query (``text`` as typed, ``words`` folded), maybe a prefix, maybe left out."""

    text: str
    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """What to find: every group (an OR of terms) must match; no negated term may."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    @property
    def fingerprint(self) -> str:
        return repr((self.groups, self.excluded))

    def positive_terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


class QueryError(ValueError):
    """A query with nothing to look for, or too much: ``reason`` is ``empty``, ``only_excluded`` or ``too_many``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse(text: str) -> Query:
    """Read a query the way people type it; operators that make no sense are read as separators."""
    groups, excluded, pending_or = [], [], False
    for match in TOKEN.finditer(unicodedata.normalize('NFC', text)):
        if match.group('or'):
            pending_or = bool(groups)
            continue
        term = _term(match)
        if term is None:
            continue
        if term.negated:
            excluded.append(term)
        elif pending_or:
            groups[-1] = groups[-1] + (term,)
        else:
            groups.append((term,))
        pending_or = False
    return _checked(Query(tuple(groups), tuple(excluded)))


def _term(match) -> Term | None:
    raw = match.group('phrase') if match.group('phrase') is not None else match.group('word')
    words = tuple(fold(w) for w in WORD.findall(raw or ''))
    if not words:
        return None
    prefix = bool(match.group('star')) and len(words) == 1
    return Term(' '.join(WORD.findall(raw)) if match.group('phrase') is not None else raw, words,
                prefix, bool(match.group('neg')))


def _checked(query: Query) -> Query:
    if not query.groups:
        raise QueryError('only_excluded' if query.excluded else 'empty')
    if len(query.positive_terms()) + len(query.excluded) > MAX_TERMS:
        raise QueryError('too_many')
    return query


# Highlights -----------------------------------------------------------------------------------

def _keys(term: Term) -> tuple[set[str], set[str]]:
    """The forms a document word may take to match ``term``: whole (stems, folded) and prefixes."""
    whole, prefixes = set(), set()
    for word in term.words:
        forms = {word} | {stem(word, lang) for lang in LANGUAGES}
        (prefixes if term.prefix else whole).update(forms)
    return whole, prefixes


@functools.lru_cache(maxsize=256)
def _matcher(query: Query):
    """A test of one word of a text against the query (built once per query: a page highlights many texts)."""
    whole, prefixes = set(), set()
    for term in query.positive_terms():
        w, p = _keys(term)
        whole |= w
        prefixes |= p

    prefixes = tuple(prefixes)
    keys = tuple(whole) + prefixes
    seen: dict = {}  # (word as written, languages): whether it matches; a page repeats most of its words

    def matches(word: str, languages) -> bool:
        key = (word, languages)
        found = seen.get(key)
        if found is None:
            folded = _fold_word(word)
            forms = {folded} | {stem(folded, lang) for lang in languages}
            found = bool(forms & whole) or any(form.startswith(prefixes) for form in forms)
            if len(seen) >= 20_000:
                seen.clear()
            seen[key] = found
        return found

    def may_match_unstemmed(text: str) -> bool:
        """Whether a text read without stemming can match: a matching word, folded, is one of the keys or
        starts with one, so the folded text holds it (folding goes character by character)."""
        folded = fold(text)
        return any(key in folded for key in keys)
    matches.may_match_unstemmed = may_match_unstemmed
    return matches


def highlight(text: str, query: Query, language: str | None = None, *, stemmed: bool = True,
              width: int = SNIPPET_WIDTH) -> dict | None:
    """A plain-text snippet of ``text`` around its matching words, with ``[start, end)`` offsets of each.

    ``None`` when no word of the text matches. The snippet is at most ``width`` characters
    (with "…" where it was cut); the offsets count characters of the snippet as returned.
    """
    text = unicodedata.normalize('NFC', text or '')
    matches = _matcher(query)
    if not stemmed and not matches.may_match_unstemmed(text):
        return None  # names, e-mail addresses, phones: most hold no query word at all
    languages = document_languages(language) if stemmed else ()
    spans = [(m.start(), m.end()) for m in WORD.finditer(text) if matches(m.group(), languages)]
    if not spans:
        return None
    start, end = _window(text, spans, width)
    lead = '…' if start > 0 else ''
    snippet = lead + text[start:end].strip() + ('…' if end < len(text) else '')
    shift = len(lead) - start - (len(text[start:end]) - len(text[start:end].lstrip()))
    inside = [[s + shift, e + shift] for s, e in spans if s >= start and e <= end]
    return {'text': snippet, 'highlights': inside}


def _window(text: str, spans, width: int) -> tuple[int, int]:
    """The ``width`` characters holding the most matches, starting a little before the first of them."""
    if len(text) <= width:
        return 0, len(text)
    best, best_count = spans[0][0], 0
    for s, _e in spans:
        count = sum(1 for other, other_end in spans if s <= other and other_end <= s + width - 30)
        if count > best_count:
            best, best_count = s, count
    start = max(0, best - 30)
    if start > 0:
        space = text.rfind(' ', 0, start + 1)
        start = space + 1 if space >= 0 and best - space < 60 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(' ', start, end)
        end = space if space > best else end
    return start, end
