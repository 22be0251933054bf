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


def test_ticket_routes_need_a_login(app):
    rules = {getattr(app.view_functions[r.endpoint], '_access_rule', None)
             for r in app.url_map.iter_rules() if r.rule.startswith('/api/v1/tickets')}
    assert rules and all(rule.startswith('role:') for rule in rules)


def test_a_route_without_a_rule_is_caught(app):
    from flask import Flask
    bare = Flask('bare')
    bare.add_url_rule('/open', 'open', lambda: 'x')
    assert not getattr(bare.view_functions['open'], '_access_rule', None)
