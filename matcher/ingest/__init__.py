"""Ingestion: files (CSV, JSON Lines, JSON, Parquet, OCDS, DECP) → validated rows → the store.

Every row is validated with matcher.schemas; good rows are upserted by external id in one
transaction, bad rows are reported with their line, field and reason. A file that cannot be read as
a whole raises IngestError and leaves the store untouched.
"""

from matcher.ingest.errors import IngestError, IngestStoreError
from matcher.ingest.pipeline import KINDS, Kind, ingest_bytes, ingest_file, ingest_records
from matcher.ingest.readers import FORMATS
from matcher.ingest.report import IngestReport, RowError, write_rejects

__all__ = [
    "FORMATS",
    "KINDS",
    "IngestError",
    "IngestReport",
    "IngestStoreError",
    "Kind",
    "RowError",
    "ingest_bytes",
    "ingest_file",
    "ingest_records",
    "write_rejects",
]
