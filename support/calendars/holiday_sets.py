"""The ``holidays`` library's side: which countries and subdivisions exist, and names in a language."""
import functools
from datetime import date

import holidays

from ..core.i18n import _


@functools.cache
def supported() -> dict[str, tuple[str, ...]]:
    """Country (ISO 3166-1 alpha-2) -> its subdivision codes, as the library knows them."""
    return {country: tuple(codes) for country, codes in holidays.list_supported_countries(include_aliases=False).items()}


def canonical(country: str, subdivision: str | None) -> tuple[str, str | None]:
    """The codes as the library spells them (``mx`` -> ``MX``, ``tx`` -> ``TX``)."""
    country = country.upper()
    if subdivision:
        by_upper = {code.upper(): code for code in supported().get(country, ())}
        subdivision = by_upper.get(subdivision.upper(), subdivision)
    return country, subdivision or None


def subdivision_problem(country: str, subdivision: str | None) -> tuple[str, str] | None:
    """``(message, field)`` when the library does not know the country or subdivision, else None."""
    country, subdivision = canonical(country, subdivision)
    codes = supported().get(country)
    if codes is None:
        return _('Unknown country: use a two-letter code the holidays library knows, such as MX or US.'), 'country'
    if subdivision and subdivision not in codes:
        if not codes:
            return _('{country} has no subdivisions; leave it empty.').format(country=country), 'subdivision'
        return _('Unknown subdivision of {country}; one of: {codes}.').format(
            country=country, codes=', '.join(codes)), 'subdivision'
    return None


def _language(country: str, locale: str) -> str | None:
    """The library's language closest to the reader's (``es`` for Spanish readers), else its default."""
    languages = holidays.list_localized_countries(include_aliases=False).get(country, ())
    for language in languages:
        if language == locale or language.split('_')[0] == locale:
            return language
    return None


def holidays_of(country: str, subdivision: str | None, year: int, locale: str) -> dict[date, str]:
    """The set's holidays in ``year``, named in the reader's language where the library has it."""
    found = holidays.country_holidays(country, subdiv=subdivision, years=year, language=_language(country, locale))
    return dict(sorted(found.items()))
