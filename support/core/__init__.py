"""Mechanisms shared by every domain: config, extensions, errors, i18n, signing, jobs."""
