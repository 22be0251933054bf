import pytest
import schemathesis


@pytest.fixture
def api_schema(app, make):
    app.extensions['fuzz_admin'] = make.agent(role='admin', languages=['en', 'es'])
    make.ticket()
    return schemathesis.openapi.from_wsgi('/api/v1/openapi.json', app)
