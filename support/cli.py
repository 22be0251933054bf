"""``flask --app wsgi support ...``: admin commands, demo data, translations, the job worker."""
import json
import os
import subprocess
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .core.extensions import db

support_cli = AppGroup('support', help='Manage the support service.')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def register(app):
    app.cli.add_command(support_cli)


def _echo_json(data):
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@support_cli.command('create-client')
@click.option('--name', required=True)
@click.option('--slug', required=True)
@click.option('--default-language', default='en', type=click.Choice(['en', 'es']))
@click.option('--rate-limit', default=None, help='e.g. 600/minute')
def create_client_command(name, slug, default_language, rate_limit):
    """Create a client; prints its first key and secret (shown only once)."""
    from .clients.operations import create_client
    from .clients.schemas import SLUG
    SLUG(slug)
    client, key, secret = create_client(name, slug, default_language, rate_limit)
    db.session.commit()
    _echo_json({'id': client.id, 'slug': client.slug, 'key_id': key.key_id, 'secret': secret})


@support_cli.command('rotate-key')
@click.option('--slug', required=True)
def rotate_key_command(slug):
    """Add a second active key to a client (revoke the old one once clients switched)."""
    import sqlalchemy as sa
    from .clients.models import Client
    from .clients.operations import add_key
    client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
    if client is None:
        raise click.UsageError(f'no client {slug}')
    key, secret = add_key(client)
    db.session.commit()
    _echo_json({'slug': slug, 'key_id': key.key_id, 'secret': secret})


@support_cli.command('client-rotate-secret')
@click.argument('slug')
def client_rotate_secret_command(slug):
    """Replace a client's keys with a new one (a lost or leaked secret); prints the new key and secret.

    The old keys stop working at once; to switch keys without downtime use rotate-key instead."""
    import sqlalchemy as sa
    from .clients.models import Client
    from .clients.operations import replace_keys
    client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
    if client is None:
        raise click.UsageError(f'no client {slug}')
    key, secret = replace_keys(client)
    db.session.commit()
    _echo_json({'slug': slug, 'key_id': key.key_id, 'secret': secret})


@support_cli.command('create-agent')
@click.option('--email', required=True)
@click.option('--name', required=True)
@click.option('--password', required=True)
@click.option('--role', default='agent', type=click.Choice(['agent', 'supervisor', 'admin']))
@click.option('--languages', default='en', help='comma separated: en,es')
@click.option('--site', default=None, help='site id or exact name (an unknown one is refused)')
@click.option('--clients', default='', help='comma separated client slugs it serves')
@click.option('--all-clients', is_flag=True, help='serve every client (without it or --clients: none)')
def create_agent_command(email, name, password, role, languages, site, clients, all_clients):
    """Create a login; prints its id."""
    from .agents.operations import create_agent
    from .core.errors import ApiError
    langs = [x.strip() for x in languages.split(',') if x.strip()]
    if not langs or set(langs) - {'en', 'es'}:
        raise click.BadParameter('languages must be en, es or en,es', param_hint='--languages')
    try:
        agent = create_agent(email, name, password, role, langs, site, clients=[c for c in clients.split(',') if c],
                             all_clients=all_clients)
    except ApiError as exc:
        raise click.UsageError(_api_error_text(exc))
    db.session.commit()
    _echo_json({'id': agent.id, 'email': agent.email, 'role': agent.role.value,
                'site': agent.site.name if agent.site else None, 'all_clients': agent.all_clients,
                'clients': [c.slug for c in agent.clients]})


def _api_error_text(exc) -> str:
    details = '; '.join(f'{name}: {" ".join(str(m) for m in messages)}' for name, messages in exc.fields.items())
    return ' '.join(part for part in (str(exc.message or ''), details) if part)


@support_cli.command('new-encryption-key')
def new_encryption_key_command():
    """Print a new key for SUPPORT_ENCRYPTION_KEYS (put it first, run reencrypt, then drop the old one)."""
    from .core.crypto import new_key
    click.echo(new_key())


@support_cli.command('reencrypt')
def reencrypt_command():
    """Rewrite every stored secret with the first key of SUPPORT_ENCRYPTION_KEYS; prints counts per column."""
    from .core.crypto import reencrypt
    with db.engine.begin() as connection:
        counts = reencrypt(connection, db.metadata)
    _echo_json(counts)


@support_cli.command('channel-add')
@click.option('--slug', required=True, help='the client')
@click.option('--provider', required=True, type=click.Choice(['mailgun', 'meta', 'twilio']))
@click.option('--secret', required=True, help='Mailgun signing key, Meta app secret or Twilio auth token')
@click.option('--address', 'addresses', multiple=True, required=True,
              help='recipient address, page/account id or E.164 number (repeat for more)')
@click.option('--name', default=None)
@click.option('--verify-token', default=None, help='Meta only; generated when left out')
@click.option('--account-sid', default=None, help='Twilio only')
@click.option('--public-url', default=None, help='Twilio only: the URL as configured in Twilio')
def channel_add_command(slug, provider, secret, addresses, name, verify_token, account_sid, public_url):
    """Add a provider account to a client; prints it (a generated verify token is shown only now)."""
    from .channels.commands import add_channel
    _echo_json(add_channel(slug, provider, secret, list(addresses), name=name, verify_token=verify_token,
                           account_sid=account_sid, public_url=public_url))


@support_cli.command('channel-list')
@click.option('--slug', required=True, help='the client')
def channel_list_command(slug):
    """List a client's provider accounts (secrets are never shown)."""
    from .channels.commands import list_channels
    _echo_json(list_channels(slug))


@support_cli.command('seed-demo')
@click.option('--url', default=None, help='where the demo will be served (default http://127.0.0.1:$PORT)')
@click.option('--guide', is_flag=True, help='after the credentials, print how to post a signed ticket and more')
def seed_demo_command(url, guide):
    """Load demo clients, agents and tickets (idempotent); prints the credentials."""
    from .demo import guide as demo_guide, seed
    credentials = seed(url or f'http://127.0.0.1:{os.environ.get("PORT") or 5000}')
    _echo_json(credentials)
    if guide:
        click.echo(demo_guide(credentials))


@support_cli.command('serve')
@click.option('--host', default='127.0.0.1', envvar='HOST', show_default=True, help='address to listen on (HOST)')
@click.option('--port', default=5000, type=int, envvar='PORT', show_default=True, help='port to listen on (PORT)')
@click.option('--jobs/--no-jobs', default=True, help='run the job consumer inside this process')
@click.option('--worker-class', type=click.Choice(['gevent', 'gthread']), default=None,
              help='gunicorn worker; default gevent on PostgreSQL, gthread (threads) on SQLite')
@click.option('--threads', default=64, type=int, help='gthread only: threads, one per open connection')
def serve_command(host, port, jobs, worker_class, threads):
    """Serve the API, Socket.IO (WebSockets) and the console with gunicorn, one process."""
    from .server import default_worker_class, gunicorn_command
    _refuse_development_secret()
    worker_class = worker_class or default_worker_class(current_app.config['SQLALCHEMY_DATABASE_URI'])
    argv, env = gunicorn_command(host, port, worker_class, threads, jobs)
    click.echo(f'serving on {_display_url(host, port)} (gunicorn, 1 {worker_class} worker'
               f'{", jobs in process" if jobs else ""})', err=True)
    sys.stdout.flush()
    os.execve(argv[0], argv, env)


def _display_url(host: str, port: int) -> str:
    shown = '127.0.0.1' if host in ('0.0.0.0', '::', '') else (f'[{host}]' if ':' in host else host)
    return f'http://{shown}:{port}'


def _refuse_development_secret():
    from .core.config import development_secret_problem
    problem = development_secret_problem(current_app.config.get('SECRET_KEY'), current_app.debug,
                                         current_app.testing)
    if problem:
        raise click.ClickException(problem)


@support_cli.command('worker')
@click.option('--workers', default=4, type=int)
def worker_command(workers):
    """Run the job consumer in this process (production: beside the web workers)."""
    from .core.jobs import huey
    _refuse_development_secret()
    consumer = huey.create_consumer(workers=workers, worker_type='thread', periodic=True)
    consumer.run()


@support_cli.group('translations')
def translations():
    """Extract, update, compile and check the message catalogs."""


def _pybabel(*args):
    subprocess.run([sys.executable, '-m', 'babel.messages.frontend', *args], check=True, cwd=ROOT)


@translations.command('extract')
def extract():
    """Collect translatable strings into translations/messages.pot."""
    _pybabel('extract', '-F', 'babel.cfg', '-k', '_l', '-k', '_n:1,2', '--add-comments=i18n:',
             '--no-location', '--sort-output', '-o', 'translations/messages.pot', 'support')


@translations.command('update')
def update():
    """Merge new strings from the template into every catalog."""
    extract.callback()
    _pybabel('update', '-i', 'translations/messages.pot', '-d', 'translations', '--no-wrap', '--ignore-obsolete')


@translations.command('compile')
def compile_catalogs():
    """Build the .mo files the service reads."""
    _pybabel('compile', '-d', 'translations', '--statistics')


@translations.command('check')
def check():
    """Fail when a string lacks a Spanish translation or its placeholders differ."""
    from .core.i18n_check import problems
    found = problems(os.path.join(ROOT, 'translations'))
    for problem in found:
        click.echo(problem, err=True)
    if found:
        raise SystemExit(1)
    click.echo('translations: ok')


def main():
    """``support`` console script: ``support serve``, ``support db upgrade``... without ``flask --app``."""
    from flask.cli import FlaskGroup
    from . import create_app
    group = FlaskGroup(create_app=create_app, help='Manage the support service (the flask commands of support).')
    for name, command in support_cli.commands.items():
        group.add_command(command, name)
    group(prog_name='support')
