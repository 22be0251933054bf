"""The monthly PDF: a real PDF whose text carries the figures and the labels of the client's language."""
import io

from pypdf import PdfReader

from support.reports.monthly.render import render


def _figures(**overrides) -> dict:
    daily = [{'date': f'2026-11-{d:02d}', 'created': d % 4, 'answered': d % 3,
              'service_level': None if d % 5 == 0 else 0.5 + d / 100} for d in range(1, 31)]
    figures = {
        'client': {'slug': 'acme', 'name': 'Acme Cable'}, 'month': '2026-11', 'timezone': 'America/Mexico_City',
        'period': {'start': '2026-11-01', 'end': '2026-12-01'}, 'generated_at': '2026-12-01T06:05:00+00:00',
        'volume': {'created': 1234, 'answered': 640, 'resolved': 701, 'abandoned': 12, 'reopened': 9, 'transferred': 33},
        'asa_seconds': 23.4, 'service_level': {'share': 0.8125, 'within': 520, 'total': 640, 'target_seconds': 20,
                                               'goal_percent': 80},
        'sla': {'met': 900, 'breached': 100, 'share': 0.9}, 'aht_seconds': 372.2,
        'resolution_seconds': {'median': 5400, 'p90': 100000}, 'daily': daily,
        'channels': [{'channel': 'chat', 'created': 700, 'asa_seconds': 21, 'aht_seconds': 300},
                     {'channel': 'email', 'created': 534, 'asa_seconds': None, 'aht_seconds': 600}]}
    figures.update(overrides)
    return figures


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return ' '.join(' '.join(page.extract_text().split()) for page in reader.pages)


def test_the_spanish_report_reads_in_spanish_with_spanish_numbers(app):
    pdf = render(_figures(), 'es')
    assert pdf.startswith(b'%PDF-')
    text = text_of(pdf)
    for expected in ('Informe mensual: Acme Cable, noviembre de 2026', 'Cifras principales', 'Contactos recibidos 1.234',
                     'Contactos atendidos 640', 'Contactos abandonados 12', 'Tickets resueltos 701',
                     'Tickets reabiertos 9', 'Tickets transferidos 33', 'Velocidad media de respuesta (ASA) 23 s',
                     'Nivel de servicio: atendidos en 20 s 81,2 % (520 de 640)',
                     'Objetivos de SLA cumplidos 90,0 % (900 de 1.000)', 'Tiempo medio de operación (TMO) 6 min 12 s',
                     'Tiempo de resolución, mediana 1 h 30 min', 'Tiempo de resolución, percentil 90 1 d 3 h',
                     'Contactos por día', 'Nivel de servicio por día', 'Por canal', 'Canal Contactos ASA TMO', 'Correo electrónico', 'Página 1'):
        assert expected in text, expected
    assert 'Contacts' not in text and 'Answered' not in text
    assert 'Contactos recibidos Contactos atendidos' in text  # the legend of the daily chart
    assert '0.5' not in text  # counts are whole numbers on the axis too


def test_the_english_report_and_what_was_not_measured(app):
    text = text_of(render(_figures(asa_seconds=None, service_level=None, sla={}, channels=[],
                                   daily=[{'date': '2026-11-01', 'created': 0, 'answered': 0, 'service_level': None}]),
                          'en'))
    assert 'Monthly report: Acme Cable, November 2026' in text
    assert 'Contacts created 1,234' in text
    assert 'Average speed of answer (ASA) —' in text
    assert 'SLA targets met —' in text
    assert 'No real-time contacts this month.' in text
    assert 'By channel' not in text
