"""CSV of a report, streamed: a generator of text chunks, a few hundred rows at a time, so a
year of half hours is written as it is read and never held in memory.

The header row is in the reader's language; values are machine-readable: integers as digits,
seconds and shares as plain decimals with a point, nothing for "not measured"."""
import csv
import io
from itertools import islice
from typing import Iterator

from .queries import ReportResult

CHUNK_ROWS = 500


def csv_chunks(result: ReportResult) -> Iterator[str]:
    """The header, then chunks of ``CHUNK_ROWS`` rows. The csv module writes None as an empty cell, an
    int as its digits and a float as its ``repr`` (a point, no thousands separator): the row tuples go
    to it as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\r\n')
    writer.writerow([column.header() for column in result.columns])
    rows = iter(result.rows)
    while True:
        chunk = list(islice(rows, CHUNK_ROWS))
        if not chunk:
            break
        writer.writerows(chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
