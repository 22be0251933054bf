"""The monthly per-client report: figures of the client's last local month, rendered as a PDF in its
language, stored (``ReportFile``), listed, downloaded and announced by the ``report.ready`` callback."""
