import pytest
from prometheus_client.parser import text_string_to_metric_families

TOKEN = 'scrape-token-for-tests'


class Scraper:
    """``/metrics`` through HTTP, parsed: ``value(name, **labels)`` is the sum of matching samples."""

    def __init__(self, http):
        self.http = http
        self.samples = []

    def scrape(self):
        response = self.http.get('/metrics', headers={'Authorization': f'Bearer {TOKEN}'})
        assert response.status_code == 200, response.data
        self.samples = [sample for family in text_string_to_metric_families(response.get_data(as_text=True))
                        for sample in family.samples]
        return self

    def value(self, name, **labels) -> float:
        return sum(s.value for s in self.samples
                   if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))

    def has(self, name, **labels) -> bool:
        return any(s.name == name and all(s.labels.get(k) == v for k, v in labels.items()) for s in self.samples)

    def changes(self, action) -> 'Changes':
        """What moved while ``action()`` ran (series are per process: compare, never assume zero)."""
        before = list(self.scrape().samples)
        action()
        return Changes(before, list(self.scrape().samples))

    def delta(self, name, action, **labels) -> float:
        """How much ``name`` moved while ``action()`` ran."""
        before = self.scrape().value(name, **labels)
        action()
        return self.scrape().value(name, **labels) - before


@pytest.fixture
def metrics(app, http, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_METRICS_TOKEN', TOKEN)
    return Scraper(http)


class Changes:
    def __init__(self, before, after):
        self.before, self.after = Scraper(None), Scraper(None)
        self.before.samples, self.after.samples = before, after

    def value(self, name, **labels) -> float:
        return self.after.value(name, **labels) - self.before.value(name, **labels)
