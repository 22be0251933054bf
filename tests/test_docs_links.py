"""Every relative link in README.md and docs/ reaches a file, and its #anchor a heading there."""
import os
import re

import pytest

from .servers import ROOT

LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
PAGES = ['README.md'] + sorted(os.path.join('docs', name) for name in os.listdir(os.path.join(ROOT, 'docs'))
                               if name.endswith('.md'))


def _anchors(path: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    with open(path, encoding='utf-8') as page:
        headings = [line.lstrip('#').strip() for line in page if line.startswith('#')]
    return {re.sub(r'[^\w\- ]', '', h.lower()).replace(' ', '-') for h in headings}


def _links(page: str):
    with open(os.path.join(ROOT, page), encoding='utf-8') as text:
        body = re.sub(r'```.*?```', '', text.read(), flags=re.S)
    for target in LINK.findall(body):
        if not re.match(r'[a-z]+:', target):
            yield target


@pytest.mark.parametrize('page', PAGES)
def test_relative_links_resolve(page):
    broken = []
    for target in _links(page):
        path, _sep, anchor = target.partition('#')
        resolved = os.path.normpath(os.path.join(ROOT, os.path.dirname(page), path)) if path else os.path.join(ROOT, page)
        if not os.path.exists(resolved):
            broken.append(target)
        elif anchor and resolved.endswith('.md') and anchor not in _anchors(resolved):
            broken.append(target)
    assert broken == [], f'{page} links to what does not exist'
