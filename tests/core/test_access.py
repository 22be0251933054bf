"""Every route declares who may call it."""


def test_every_route_has_an_access_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == 'static':
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, '_access_rule', None):
            missing.append(f'{rule.rule} ({rule.endpoint})')
    assert missing == []


def test_api_routes_are_not_all_public(app):
    rules = {getattr(app.view_functions[r.endpoint], '_access_rule', None)
             for r in app.url_map.iter_rules() if r.rule.startswith('/api/v1/tickets')}
    assert rules == {'role:agent'}
