"""N Socket.IO supervisor sockets in one gevent process, timing each event they receive.

Run by ``bench/routing.py --sockets``; not for use on its own:

    python bench/live_receiver.py URL TOKEN SOCKETS EVENT

Opens SOCKETS raw Engine.IO WebSockets (websocket-client, cooperative under gevent) to
``/socket.io/`` on ``/live`` with the bearer token, answers pings, prints ``ready N`` once
every socket is connected, then stamps each ``EVENT`` message with the wall clock on
arrival (no parsing while it listens). A line on stdin stops it; it then prints one JSON
line per received event: ``[socket, received_at, payload]``.
"""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
import websocket  # noqa: E402

others: dict = {}


def _connect(url: str, token: str, attempts: int = 3):
    for attempt in range(attempts):
        try:
            ws = websocket.create_connection(url.replace('http', 'ws', 1) + '/socket.io/?EIO=4&transport=websocket',
                                             timeout=120)
            ws.recv()  # the Engine.IO open packet
            ws.send('40/live,' + json.dumps({'token': token}))
            return ws
        except Exception as error:  # a loaded server may drop a connection attempt: try again
            sys.stderr.write(f'connect attempt {attempt + 1}: {error!r}\n')
            gevent.sleep(1)
    raise RuntimeError('could not connect')


def listen(number: int, url: str, token: str, prefix: str, received: list, connected: list) -> None:
    ws = _connect(url, token)
    while True:
        try:
            message = ws.recv()
        except Exception:
            return
        if message.startswith(prefix):
            received.append((number, time.time(), message))
        elif message.startswith('42/live,'):
            others[message[9:message.find('"', 10)]] = others.get(message[9:message.find('"', 10)], 0) + 1
        elif message == '2':
            ws.send('3')
        elif message.startswith('40/live,'):
            connected.append(number)
        elif message.startswith('44/live'):
            sys.stderr.write(f'socket {number} refused: {message}\n')
            return


def main():
    url, token, sockets, event = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    prefix = '42/live,' + json.dumps([event])[:-1]
    received, connected = [], []
    for number in range(sockets):
        gevent.spawn(listen, number, url, token, prefix, received, connected)
        if number % 50 == 49:
            gevent.sleep(0.2)  # connect in waves: each connection loads the supervisor's snapshots
    deadline = time.time() + 300
    while len(connected) < sockets and time.time() < deadline:
        gevent.sleep(0.1)
    print(f'ready {len(connected)}', flush=True)
    gevent.get_hub().threadpool.spawn(sys.stdin.readline).get()
    sys.stderr.write(f'other events received: {others}\n')
    for number, at, message in received:
        print(json.dumps([number, at, json.loads(message[len('42/live,'):])[1]]))
    sys.stdout.flush()


if __name__ == '__main__':
    main()
