"""Provider-side helpers: payloads and signatures computed the way each provider documents."""
import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid

MAILGUN_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0'
META_SECRET = 'meta-app-secret-0123456789'
TWILIO_TOKEN = 'twilio-auth-token-0123456789abcdef'
TWILIO_SID = 'AC' + '0123456789abcdef' * 2


def as_agent(http, agent, method, url, **kwargs):
    """An agent's request; the test app context outlives requests, so forget who was logged in
    (a later provider request must not see a detached agent in ``g``)."""
    from flask import g
    response = http.open(url, method=method, headers={**agent.headers, **kwargs.pop('headers', {})}, **kwargs)
    g.pop('current_agent', None)
    return response


def add_channel(http, make, slug, provider, secret, addresses, **extra):
    admin = make.agent(role='admin')
    response = as_agent(http, admin, 'POST', f'/api/v1/clients/{slug}/channels',
                        json={'provider': provider, 'secret': secret, 'addresses': addresses, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- Mailgun: signature = hex HMAC-SHA256(signing key, timestamp + token) --------------------

def mailgun_signature(key=MAILGUN_KEY, timestamp=None, token=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    token = token or secrets.token_hex(25)
    signature = hmac.new(key=key.encode(), msg=(timestamp + token).encode(), digestmod=hashlib.sha256).hexdigest()
    return {'timestamp': timestamp, 'token': token, 'signature': signature}


def mailgun_fields(recipient='support@acme.example', sender='ana@example.com', subject='Router sin conexión',
                   text='Hola, mi router no enciende desde ayer. ¿Pueden ayudarme?', message_id=None,
                   in_reply_to='', references='', from_name='Ana López', **overrides):
    message_id = message_id or f'<{uuid.uuid4().hex}@mail.example.com>'
    headers = [['Received', 'by luna.mailgun.net with SMTP'], ['From', f'{from_name} <{sender}>'],
               ['To', recipient], ['Subject', subject], ['Message-Id', message_id]]
    if in_reply_to:
        headers.append(['In-Reply-To', in_reply_to])
    if references:
        headers.append(['References', references])
    fields = {'recipient': recipient, 'sender': sender, 'from': f'{from_name} <{sender}>', 'subject': subject,
              'body-plain': text + '\n\n-- \nAna', 'stripped-text': text, 'stripped-signature': 'Ana',
              'body-html': f'<html><body><p>{text}</p></body></html>', 'stripped-html': f'<p>{text}</p>',
              'message-headers': json.dumps(headers), 'Message-Id': message_id, 'In-Reply-To': in_reply_to,
              'References': references, 'attachment-count': '0', **mailgun_signature()}
    fields.update(overrides)
    return fields


def multipart(fields: dict, files=(), charset='utf-8', transfer_encoding=None):
    """A multipart/form-data body built by hand, so part charsets and encodings are ours to choose."""
    import quopri
    boundary = 'mg' + uuid.uuid4().hex
    out = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'
        data = value.encode(charset)
        if charset != 'utf-8' or transfer_encoding:
            head += f'Content-Type: text/plain; charset="{charset}"\r\n'
        if transfer_encoding == 'quoted-printable':
            head += 'Content-Transfer-Encoding: quoted-printable\r\n'
            data = quopri.encodestring(data)
        elif transfer_encoding == 'base64':
            head += 'Content-Transfer-Encoding: base64\r\n'
            data = base64.encodebytes(data)
        out.append(head.encode() + b'\r\n' + data + b'\r\n')
    for name, filename, content_type, data in files:
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f'Content-Type: {content_type}\r\n\r\n')
        out.append(head.encode() + data + b'\r\n')
    out.append(f'--{boundary}--\r\n'.encode())
    return b''.join(out), f'multipart/form-data; boundary={boundary}'


def post_mailgun(http, fields, files=(), **kwargs):
    body, content_type = multipart(fields, files, **kwargs)
    return http.post('/api/v1/channels/mailgun', data=body, content_type=content_type)


# --- Meta: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(app secret, raw body) --------------

def meta_message(sender='6783421134', page='110022334455', text='Hola', mid=None, timestamp=None):
    return {'sender': {'id': sender}, 'recipient': {'id': page}, 'timestamp': timestamp or int(time.time() * 1000),
            'message': {'mid': mid or f'm_{uuid.uuid4().hex}', 'text': text}}


def meta_batch(entries, platform='page'):
    return {'object': platform, 'entry': [
        {'id': page, 'time': int(time.time() * 1000), 'messaging': items} for page, items in entries]}


def post_meta(http, batch, secret=META_SECRET, signature=None):
    raw = json.dumps(batch).encode()
    signature = signature or 'sha256=' + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return http.post('/api/v1/channels/meta', data=raw, content_type='application/json',
                     headers={'X-Hub-Signature-256': signature})


# --- Twilio: base64 HMAC-SHA1(auth token, URL + sorted name+value pairs) ---------------------

def twilio_signature(url, params, token=TWILIO_TOKEN):
    data = url + ''.join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def twilio_sms(to='+15005550006', sender='+14155552671', body='Hi, my modem is down', sid=None, **extra):
    params = {'ToCountry': 'US', 'ToState': 'CA', 'SmsMessageSid': sid or 'SM' + uuid.uuid4().hex,
              'NumMedia': '0', 'ToCity': 'SAN FRANCISCO', 'FromZip': '94105', 'SmsSid': sid or '',
              'FromState': 'CA', 'SmsStatus': 'received', 'FromCity': 'SAN FRANCISCO', 'Body': body,
              'FromCountry': 'US', 'To': to, 'ToZip': '94105', 'NumSegments': '1', 'MessageSid': '',
              'AccountSid': TWILIO_SID, 'From': sender, 'ApiVersion': '2010-04-01'}
    params['SmsSid'] = params['MessageSid'] = params['SmsMessageSid']
    params.update(extra)
    return params


def post_twilio(http, params, url='http://localhost/api/v1/channels/twilio', token=TWILIO_TOKEN, **kwargs):
    return http.post('/api/v1/channels/twilio', data=params, content_type='application/x-www-form-urlencoded',
                     headers={'X-Twilio-Signature': twilio_signature(url, params, token)}, **kwargs)
