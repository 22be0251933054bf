"""Where the catalogs are read from: the wheel's, a checkout's, a fresh compile of a stale one, or a refusal."""
import os
import shutil

import pytest
from babel.support import Translations

from support.core.catalogs import CatalogsMissing, compile_catalog, translation_directory

from ..servers import ROOT

PO = os.path.join(ROOT, 'translations', 'es', 'LC_MESSAGES', 'messages.po')
MESSAGE = 'Some fields are not valid.'


def _layout(tmp_path, po=True, mo=None):
    """``tmp/checkout/{support,translations}`` like a source checkout; ``mo``: 'fresh', 'stale' or None."""
    package = tmp_path / 'checkout' / 'support'
    package.mkdir(parents=True)
    catalog = tmp_path / 'checkout' / 'translations' / 'es' / 'LC_MESSAGES'
    catalog.mkdir(parents=True)
    if po:
        shutil.copy(PO, catalog / 'messages.po')
    if mo:
        compile_catalog(PO, str(catalog / 'messages.mo'), 'es')
        then = os.path.getmtime(catalog / 'messages.po') + (10 if mo == 'fresh' else -10)
        os.utime(catalog / 'messages.mo', (then, then))
    return str(package), str(tmp_path / 'instance')


def _spanish(directory: str) -> str:
    return Translations.load(directory, ['es']).gettext(MESSAGE)


def test_a_wheel_reads_its_own_compiled_catalogs(tmp_path):
    package, instance = _layout(tmp_path, po=False)
    compile_catalog(PO, os.path.join(package, 'translations', 'es', 'LC_MESSAGES', 'messages.mo'), 'es')
    assert translation_directory(package, instance) == os.path.join(package, 'translations')


def test_a_checkout_reads_translations_when_compiled(tmp_path):
    package, instance = _layout(tmp_path, mo='fresh')
    assert translation_directory(package, instance) == os.path.join(os.path.dirname(package), 'translations')


@pytest.mark.parametrize('mo', [None, 'stale'])
def test_a_missing_or_stale_catalog_is_compiled_into_the_instance_folder(tmp_path, mo):
    package, instance = _layout(tmp_path, mo=mo)
    directory = translation_directory(package, instance)
    assert directory == os.path.join(instance, 'translations')
    assert _spanish(directory) == 'Algunos campos no son válidos.'


def test_no_catalog_at_all_is_refused_rather_than_answering_in_english(tmp_path):
    package, instance = _layout(tmp_path, po=False)
    with pytest.raises(CatalogsMissing):
        translation_directory(package, instance)
