"""Metadata lives in setup.cfg; this file only compiles the message catalogs into the package.

The catalogs are kept at the top of the repository (``translations/``); a built wheel
carries their compiled form as ``support/translations/<locale>/LC_MESSAGES/messages.mo``,
so an installed service answers in Spanish without a source checkout.
"""
import os

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))
CATALOGS = os.path.join(ROOT, 'translations')


class build_py_with_catalogs(build_py):
    """``build_py`` that also writes every ``translations/*/LC_MESSAGES/messages.po`` as a ``.mo``."""

    def run(self):
        super().run()
        if not getattr(self, 'editable_mode', False):  # an editable install reads translations/ itself
            self.compile_catalogs()

    def compile_catalogs(self):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
        locales = sorted(os.listdir(CATALOGS)) if os.path.isdir(CATALOGS) else []
        for locale in locales:
            source = os.path.join(CATALOGS, locale, 'LC_MESSAGES', 'messages.po')
            if not os.path.isfile(source):
                continue
            target_dir = os.path.join(self.build_lib, 'support', 'translations', locale, 'LC_MESSAGES')
            os.makedirs(target_dir, exist_ok=True)
            with open(source, 'rb') as po:
                catalog = read_po(po, locale=locale)
            with open(os.path.join(target_dir, 'messages.mo'), 'wb') as mo:
                write_mo(mo, catalog)
        if not any(os.path.isfile(os.path.join(CATALOGS, name, 'LC_MESSAGES', 'messages.po')) for name in locales):
            raise SystemExit('translations/*/LC_MESSAGES/messages.po not found: a wheel without them would '
                             'answer only in English')

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        found = os.path.join(self.build_lib, 'support', 'translations')
        for folder, _dirs, files in os.walk(found):
            outputs.extend(os.path.join(folder, name) for name in files)
        return outputs


setup(cmdclass={'build_py': build_py_with_catalogs})
