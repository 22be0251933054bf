"""CSV of a report, streamed: a generator of text chunks, a few hundred rows at a time, so a
year of half hours is written as it is read and never held in memory.

The header row is in the reader's language; values are machine-readable: integers as digits,
seconds and shares as plain decimals with a point, nothing for "not measured"."""
import csv
import io
from typing import Iterator

from .queries import ReportResult

CHUNK_ROWS = 500


def _cell(value):
    if value is None:
        return ''
    if isinstance(value, float):
        return repr(value)
    return value


def csv_chunks(result: ReportResult) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\r\n')
    writer.writerow([column.header() for column in result.columns])
    count = 0
    for row in result.rows:
        writer.writerow([_cell(v) for v in row])
        count += 1
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
