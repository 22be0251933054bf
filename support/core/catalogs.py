"""Where the compiled message catalogs are, so an install never answers in English by accident.

A wheel carries ``support/translations/<locale>/LC_MESSAGES/messages.mo`` (compiled by
``setup.py`` at build time). A source checkout has ``translations/`` beside the package,
compiled by ``flask support translations compile``; when a ``.mo`` there is missing or older
than its ``.po`` (a pull without compiling), the catalog is compiled into the instance folder
and read from there.
"""
import os

LOCALES = ('es',)


class CatalogsMissing(RuntimeError):
    """No catalog for a supported language: the service would answer only in English."""


def translation_directory(package_root: str, instance_path: str) -> str:
    """The directory Flask-Babel reads catalogs from (``BABEL_TRANSLATION_DIRECTORIES``)."""
    packaged = os.path.join(package_root, 'translations')
    if all(os.path.isfile(_mo(packaged, locale)) for locale in LOCALES):
        return packaged
    checkout = os.path.join(os.path.dirname(package_root), 'translations')
    if not all(os.path.isfile(_po(checkout, locale)) for locale in LOCALES):
        raise CatalogsMissing(f'no message catalog for {", ".join(LOCALES)} in {packaged} or {checkout}: '
                              'install a wheel built by setup.py, or run from a checkout with translations/')
    if all(_fresh(_mo(checkout, locale), _po(checkout, locale)) for locale in LOCALES):
        return checkout
    compiled = os.path.join(instance_path, 'translations')
    for locale in LOCALES:
        if not _fresh(_mo(compiled, locale), _po(checkout, locale)):
            compile_catalog(_po(checkout, locale), _mo(compiled, locale), locale)
    return compiled


def compile_catalog(source: str, target: str, locale: str) -> None:
    """Write ``source`` (.po) as ``target`` (.mo), atomically (several workers may start at once)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with open(source, 'rb') as po:
        catalog = read_po(po, locale=locale)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = f'{target}.{os.getpid()}.tmp'
    with open(partial, 'wb') as mo:
        write_mo(mo, catalog)
    os.replace(partial, target)


def _po(root: str, locale: str) -> str:
    return os.path.join(root, locale, 'LC_MESSAGES', 'messages.po')


def _mo(root: str, locale: str) -> str:
    return os.path.join(root, locale, 'LC_MESSAGES', 'messages.mo')


def _fresh(mo: str, po: str) -> bool:
    return os.path.isfile(mo) and os.path.getmtime(mo) >= os.path.getmtime(po)
