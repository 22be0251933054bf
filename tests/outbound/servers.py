"""Real local servers the outbound tests send to: an SMTP server (aiosmtpd) and an HTTP receiver."""
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from support.core.signing import signature_among


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append({'from': envelope.mail_from, 'to': list(envelope.rcpt_tos), 'message': parsed})
        return '250 OK'


class SMTPServer:
    """aiosmtpd on 127.0.0.1; ``messages`` holds what it received (parsed)."""

    def __init__(self):
        self.inbox = _Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname='127.0.0.1', port=self.port)

    @property
    def url(self) -> str:
        return f'smtp://127.0.0.1:{self.port}'

    @property
    def messages(self):
        return self.inbox.messages

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


class Receiver:
    """An HTTP server that records every POST and answers with scripted status codes.

    ``script`` is a list of status codes used in turn (the last one repeats).
    """

    def __init__(self, script=(200,)):
        self.script = list(script)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                receiver.requests.append({'path': self.path, 'headers': dict(self.headers), 'body': body})
                status = receiver.script[min(len(receiver.requests) - 1, len(receiver.script) - 1)]
                payload = b'{"ok": true}' if status < 300 else b'{"error": "down"}'
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.server.server_address[1]}/hooks'

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def json(self, index=-1) -> dict:
        return json.loads(self.requests[index]['body'])

    def verifies(self, secret: str, index=-1) -> bool:
        """Check the signature as a client's system would: HMAC over ``timestamp.body``."""
        request = self.requests[index]
        headers = {k.lower(): v for k, v in request['headers'].items()}
        return signature_among(secret, headers['x-support-timestamp'], request['body'],
                               headers['x-support-signature'])


def closed_url() -> str:
    """A URL nothing listens on (connection refused)."""
    return f'http://127.0.0.1:{free_port()}/hooks'


def run_sweep() -> dict:
    """Run the periodic sweep as the worker would (the test's own session must not hold SQLite's lock)."""
    from support.core.extensions import db
    from support.outbound.tasks import sweep
    db.session.close()
    return sweep.call_local()
