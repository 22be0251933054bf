"""The admin commands print JSON a script can use."""
import json

from support.clients.models import Client
from support.core.extensions import db
from support.sites.models import Site


def test_create_client_and_agent_print_json(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=['support', 'create-client', '--name', 'Northwind', '--slug', 'northwind'])
    assert result.exit_code == 0, result.output
    client = json.loads(result.output)
    assert client['slug'] == 'northwind' and client['key_id'] and len(client['secret']) >= 32
    args = ['support', 'create-agent', '--email', 'lu@example.com', '--name', 'Lu', '--password', 'long-enough',
            '--role', 'supervisor', '--languages', 'en,es', '--clients', 'northwind']
    typo = runner.invoke(args=[*args, '--site', 'Tijuna'])
    assert typo.exit_code != 0 and 'Unknown site: Tijuna' in typo.output
    assert db.session.query(Site).count() == 0  # a typo creates nothing
    db.session.add(Site(name='Tijuana', timezone='America/Tijuana'))
    db.session.commit()
    result = runner.invoke(args=[*args, '--site', 'Tijuana'])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created['id'] > 0 and created['site'] == 'Tijuana'
    assert (created['clients'], created['all_clients']) == (['northwind'], False)
    rotated = runner.invoke(args=['support', 'rotate-key', '--slug', 'northwind'])
    assert rotated.exit_code == 0 and json.loads(rotated.output)['key_id'] != client['key_id']
    assert len(db.session.query(Client).one().keys) == 2


def test_bad_cli_input_is_refused(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=['support', 'create-agent', '--email', 'a@b.c', '--name', 'A', '--password', 'x',
                               '--languages', 'fr']).exit_code != 0
    runner.invoke(args=['support', 'create-client', '--name', 'A', '--slug', 'dup'])
    assert runner.invoke(args=['support', 'create-client', '--name', 'A', '--slug', 'dup']).exit_code != 0


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=['support', 'seed-demo'])
    assert first.exit_code == 0, first.output
    credentials = json.loads(first.output)
    assert set(credentials['clients']) == {'northwind', 'contoso'}
    again = runner.invoke(args=['support', 'seed-demo'])
    assert again.exit_code == 0, again.output
    from support.sla.models import SlaClock, SlaPolicy
    from support.tickets.models import Ticket
    assert db.session.query(Ticket).count() == 4
    assert db.session.query(SlaPolicy).count() == 4  # seeded once: two policies per client
    chat = db.session.query(Ticket).filter_by(subject='Sin señal en el decodificador').one()
    assert {c.metric.value for c in db.session.query(SlaClock).filter_by(ticket_id=chat.id)} == {
        'answer', 'first_response', 'resolution'}


def test_the_demo_has_calendars_and_gives_mexican_sites_their_hours(app):
    from support.calendars.models import Calendar
    from support.sites.models import Site
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=['support', 'seed-demo']).exit_code == 0
    assert sorted(c.name for c in db.session.query(Calendar)) == ['Mexico phone line', 'US office (Central)']
    sites = {site.name: site.calendar.name if site.calendar else None for site in db.session.query(Site)}
    assert sites == {'Polanco': 'Mexico phone line', 'Santa Fe': 'Mexico phone line', 'Monterrey': None,
                     'Tijuana': None}
