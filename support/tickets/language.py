"""English or Spanish, decided from the text by lingua, restricted to those two.

The detector is built once per process with its models preloaded; a minimum
relative distance makes it answer "don't know" for "ok" or "si" instead of guessing.
"""
import re
import threading

from lingua import Language, LanguageDetectorBuilder

_LANGS = {Language.ENGLISH: 'en', Language.SPANISH: 'es'}
MIN_RELATIVE_DISTANCE = 0.25
MIN_LETTERS = 6  # in distinct words: "ok ok" or "si" tell nothing
_detector = None
_lock = threading.Lock()


def detector():
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = (LanguageDetectorBuilder.from_languages(*_LANGS)
                             .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
                             .with_preloaded_language_models().build())
    return _detector


def detect(text: str) -> str | None:
    """``'en'``, ``'es'``, or ``None`` when the text is too short or too ambiguous."""
    words = {w.lower() for w in re.findall(r'[^\W\d_]+', text or '')}
    if sum(len(w) for w in words) < MIN_LETTERS:
        return None
    found = detector().detect_language_of(text[:2000])
    return _LANGS.get(found)
