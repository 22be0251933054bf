"""The OpenAPI document states, per operation, exactly the access rule its route enforces."""
from flask_smorest.spec.plugins import FlaskPlugin

IGNORED = {'HEAD', 'OPTIONS'}
# The three headers of a signed request, ANDed: one requirement naming the three schemes.
SIGNED = {'clientKey': [], 'clientTimestamp': [], 'clientSignature': []}


def _document(http):
    return http.get('/api/v1/openapi.json').get_json()


def _operations(app):
    """``(path, method, view)`` of every route the document describes."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IGNORED):
            yield FlaskPlugin.flaskpath2openapi(rule.rule), method.lower(), app.view_functions[rule.endpoint]


def test_every_operation_matches_its_routes_rule(app, http):
    spec = _document(http)
    checked = 0
    for path, method, view in _operations(app):
        operation = spec['paths'].get(path, {}).get(method)
        if operation is None:
            continue
        rule = view._access_rule
        assert operation['x-access-rule'] == rule, (path, method)
        schemes = [name for requirement in operation['security'] for name in requirement]
        if rule == 'public':
            assert operation['security'] == [], (path, method)
        elif rule.startswith('role:'):
            assert schemes == ['bearerAuth', 'consoleSession'], (path, method)
            assert operation['x-required-role'] == rule.split(':')[1]
            assert operation['x-token-scope'] and f"`{rule.split(':')[1]}` role" in operation['description']
        elif rule == 'signed-client':
            assert operation['security'] == [SIGNED], (path, method)
        else:
            provider = rule.split(':')[1]
            assert rule.startswith('provider-signed:') and len(schemes) == 1 and schemes[0].startswith(provider)
        assert set(schemes) <= set(spec['components']['securitySchemes'])
        checked += 1
    assert checked == sum(len([m for m in ops if m in ('get', 'post', 'put', 'patch', 'delete')])
                          for ops in spec['paths'].values())


def test_no_global_security_and_examples_of_each_kind(http):
    spec = _document(http)
    assert 'security' not in spec
    paths = spec['paths']
    assert paths['/api/v1/health']['get']['security'] == []
    assert paths['/api/v1/auth/token']['post']['security'] == []
    assert paths['/api/v1/intake/tickets']['post']['security'] == [SIGNED]
    assert paths['/api/v1/channels/meta']['post']['security'] == [{'metaSignature': []}]
    assert paths['/api/v1/channels/meta']['get']['security'] == [{'metaVerifyToken': []}]
    assert paths['/api/v1/channels/twilio']['post']['security'] == [{'twilioSignature': []}]
    assert paths['/api/v1/channels/mailgun']['post']['security'] == [{'mailgunSignature': []}]
    reassign = paths['/api/v1/tickets/{ticket_id}/reassign']['post']
    assert (reassign['x-required-role'], reassign['x-token-scope']) == ('supervisor', 'tickets:write')
    assert paths['/api/v1/clients']['post']['x-token-scope'] == 'admin'
    assert paths['/api/v1/lab/units']['get']['x-token-scope'] == 'lab'
    assert paths['/api/v1/audit']['get']['x-token-scope'] == 'reports'
    assert paths['/api/v1/auth/tokens']['post']['x-token-scope'] == 'account'
