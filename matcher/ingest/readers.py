"""Turn the bytes of a file into rows, or refuse the whole file with a one-line cause.

Tabular files are read in chunks (`open_source(...).chunks`), so memory follows the chunk, not the
file: CSV through pandas with `chunksize`, Parquet through pyarrow `iter_batches`. The row count of a
Parquet file is checked against `max_rows` from its metadata before anything is decoded (a small
dictionary-encoded file can hold millions of rows); other formats are counted as they are read.
CSV and Parquet go through pandas; JSON and JSON Lines through the json module so nested values
(lots, OCDS and DECP structures) survive and each JSON Lines row keeps its line number. Text must be
UTF-8 (a BOM is fine, UTF-16 with a BOM too); a CSV saved by Excel in Windows-1252 is accepted only
when every non-ASCII character decodes to a letter or sign French text uses, otherwise the file is
refused rather than silently turned into mojibake.
"""

from __future__ import annotations

import io
import json
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from matcher.i18n import CodedText
from matcher.ingest.errors import IngestError

FORMATS = ("csv", "jsonl", "json", "parquet", "ocds", "decp")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
}
_PARQUET_MAGIC = b"PAR1"
# Non-ASCII characters that French (and Moroccan French) text produces in Windows-1252.
_LEGACY_TEXT = set("àâäáãåçéèêëíìîïñóòôöõúùûüýÿæœÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸÆŒ«»€’‘“”–—…°²³ºª·\u00a0")
_LEGACY_RUN = re.compile(r"[^\x00-\x7f\s«»€’‘“”–—…°]{3,}")
_SKIPPED_LINE = re.compile(r"Skipping line (\d+): (.*)")
CHUNK_ROWS = 5_000


@dataclass
class SourceRow:
    """One row as read from the file, before column mapping; `problem` when it could not be read."""

    line: int
    raw: Any
    problem: str | None = None


@dataclass
class Loaded:
    """A parsed file: tabular rows (csv/jsonl/json/parquet) or a standard document (ocds/decp).

    `chunks` (from `open_source`) yields the tabular rows a chunk at a time, once; `columns` are the
    file's column names; `load` gathers the chunks into `rows`.
    """

    format: str
    rows: list[SourceRow] = field(default_factory=list)
    document: Any = None
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    chunks: Iterator[list[SourceRow]] | None = None
    size_hint: int = 0  # expected rows, for progress bars (0 = unknown)


def too_many_rows(filename: str, count: int | str, max_rows: int) -> IngestError:
    return IngestError(
        f"{filename} holds {count} rows; at most {max_rows} are accepted per import "
        "(TREMPLIN_MAX_IMPORT_ROWS): split the file"
    )


def load(data: bytes, filename: str, fmt: str | None = None, max_rows: int | None = None) -> Loaded:
    """Parse `data` as `fmt` (or the format guessed from the name and content), all rows at once."""
    loaded = open_source(data, filename, fmt, max_rows)
    if loaded.chunks is not None:
        loaded.rows = [row for chunk in loaded.chunks for row in chunk]
        loaded.chunks = None
    return loaded


def open_source(data: bytes, filename: str, fmt: str | None = None, max_rows: int | None = None) -> Loaded:
    """Open `data` as `fmt` (or the guessed format); tabular rows come lazily through `chunks`."""
    if fmt is not None and fmt not in FORMATS:
        raise IngestError(f"{filename}: unknown format {fmt!r} (choose one of {', '.join(FORMATS)})")
    if not data.strip():
        raise IngestError(f"{filename} is empty")
    claimed = fmt or _EXTENSIONS.get(PurePath(filename).suffix.lower())
    if claimed is None:
        claimed = _sniff(data, filename)
    is_parquet = data[:4] == _PARQUET_MAGIC
    if claimed == "parquet":
        if not is_parquet:
            raise IngestError(f"{filename} is not a Parquet file (it lacks the PAR1 signature)")
        return _open_parquet(data, filename, max_rows)
    if is_parquet:
        raise IngestError(f"{filename} is a Parquet file, not {claimed.upper()}: use --format parquet")
    legacy_ok = claimed == "csv"
    text, warning = decode_text(data, filename, legacy_ok=legacy_ok)
    found = [warning] if warning else []
    if claimed == "csv":
        return _open_csv(text, filename, found, max_rows, size_hint=data.count(b"\n"))
    if claimed == "jsonl":
        if max_rows is not None:
            lines = sum(1 for line in text.splitlines() if line.strip())
            if lines > max_rows:
                raise too_many_rows(filename, lines, max_rows)
        return _in_chunks("jsonl", _read_jsonl(text, filename), found)
    document = parse_json(text, filename)
    shape = json_shape(document)
    if fmt is None and claimed == "json" and shape in ("ocds", "decp"):
        claimed = shape
    if claimed == "json":
        if shape in ("ocds", "decp"):
            raise IngestError(
                f"{filename} is a{'n' if shape == 'ocds' else ''} {shape.upper()} file: use --format {shape}"
            )
        rows = _json_rows(document, filename)
        if max_rows is not None and len(rows) > max_rows:
            raise too_many_rows(filename, len(rows), max_rows)
        return _in_chunks("json", rows, found)
    if claimed != shape:
        actual = {"decp": "a DECP file", "ocds": "an OCDS package", "json": "a plain JSON list"}.get(shape or "", "")
        expected = "DECP file (no 'marches' key)" if claimed == "decp" else "OCDS release or record package"
        hint = f"; it looks like {actual}: use --format {shape}" if actual else ""
        raise IngestError(f"{filename} is not a{'n' if claimed == 'ocds' else ''} {expected}{hint}")
    return Loaded(claimed, document=document, warnings=found)


def _in_chunks(fmt: str, rows: list[SourceRow], warnings: list[str]) -> Loaded:
    """JSON and JSON Lines rows (already parsed: nested values need the whole line) served in chunks."""
    columns: list[str] = []
    seen: set[str] = set()
    for row in rows:
        if isinstance(row.raw, dict):
            for column in row.raw:
                if column not in seen:
                    seen.add(column)
                    columns.append(column)

    def chunks() -> Iterator[list[SourceRow]]:
        for start in range(0, len(rows), CHUNK_ROWS):
            yield rows[start : start + CHUNK_ROWS]

    return Loaded(fmt, warnings=warnings, columns=columns, chunks=chunks(), size_hint=len(rows))


def _sniff(data: bytes, filename: str) -> str:
    """Format of a file whose extension says nothing: Parquet magic, or JSON / JSON Lines."""
    if data[:4] == _PARQUET_MAGIC:
        return "parquet"
    head = data.lstrip()[:1]
    if head == b"[":
        return "json"
    if head == b"{":
        first = data.lstrip().split(b"\n", 1)[0]
        try:
            json.loads(first)
        except ValueError:
            return "json"
        return "jsonl" if data.strip().count(b"\n") else "json"
    raise IngestError(
        f"cannot tell the format of {filename} from its name: pass --format (one of {', '.join(FORMATS)})"
    )


def decode_text(data: bytes, filename: str, legacy_ok: bool = False) -> tuple[str, str | None]:
    """UTF-8 text (BOM stripped); UTF-16 with a BOM; reliably detected Windows-1252 for CSV only."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            raise IngestError(f"{filename} starts with a UTF-16 mark but is not valid UTF-16: {exc.reason}") from exc
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        if b"\x00" in data[:4096]:
            raise IngestError(f"{filename} is a binary file, not UTF-8 text", "e_binary", file=filename) from exc
        if legacy_ok:
            legacy = _decode_windows_1252(data)
            if legacy is not None:
                note = f"{filename} is not UTF-8; read it as Windows-1252 (French letters only)"
                return legacy, CodedText(note, "w_windows_1252", file=filename)
        raise IngestError(
            f"{filename} is not UTF-8 text (byte 0x{byte:02x} on line {line}); save it as UTF-8 and retry",
            "e_not_utf8",
            file=filename,
            line=line,
        ) from exc


def _decode_windows_1252(data: bytes) -> str | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    unusual = {ch for ch in text if ord(ch) > 127 and ch not in _LEGACY_TEXT}
    # French puts at most two accented letters side by side ("créée"); Greek, Cyrillic or Arabic read
    # through the wrong code page gives long runs of them.
    return text if not unusual and not _LEGACY_RUN.search(text) else None


def parse_json(text: str, filename: str) -> Any:
    """json.loads with a one-line cause that says truncated / JSON Lines / not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            first = text.lstrip().split("\n", 1)[0]
            try:
                json.loads(first)
            except ValueError:
                pass
            else:
                raise IngestError(f"{filename} holds one JSON object per line: use --format jsonl") from exc
        if exc.pos >= len(text.rstrip()) - 1 and exc.pos > 0:
            raise IngestError(
                f"{filename} is truncated JSON (it ends at line {exc.lineno} before the data is closed)"
            ) from exc
        raise IngestError(f"{filename} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc


def json_shape(document: Any) -> str | None:
    """'decp', 'ocds' or 'json' (a list of objects, maybe wrapped), None for anything else."""
    if isinstance(document, list):
        return "json"
    if not isinstance(document, dict):
        return None
    if "marches" in document:
        return "decp"
    if isinstance(document.get("releases"), list) or isinstance(document.get("records"), list):
        return "ocds"
    if _wrapped_list(document) is not None:
        return "json"
    return None


_WRAPPERS = ("data", "items", "startups", "tenders", "buyers")


def _wrapped_list(document: dict[str, Any]) -> list[Any] | None:
    for key in _WRAPPERS:
        if isinstance(document.get(key), list):
            return list(document[key])
    return None


def _json_rows(document: Any, filename: str) -> list[SourceRow]:
    items = document if isinstance(document, list) else _wrapped_list(document) if isinstance(document, dict) else None
    if items is None:
        keys = ", ".join(sorted(document)[:6]) if isinstance(document, dict) else type(document).__name__
        raise IngestError(f"{filename} is JSON but not a list of objects (found {keys})")
    if not items:
        raise IngestError(f"{filename} holds no records")
    rows = []
    for index, item in enumerate(items, start=1):
        problem = None if isinstance(item, dict) else f"item is a {type(item).__name__}, not an object"
        rows.append(SourceRow(index, item, problem))
    if all(row.problem for row in rows):
        raise IngestError(f"{filename} is JSON but its items are not objects")
    return rows


def _read_jsonl(text: str, filename: str) -> list[SourceRow]:
    first = text.lstrip().split("\n", 1)[0].strip()
    if first in ("[", "{") or (first.startswith("[") and not first.endswith("]")):
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            raise IngestError(f"{filename} is one JSON document, not JSON Lines: use --format json")
    rows: list[SourceRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(SourceRow(number, line, f"invalid JSON: {exc.msg} (column {exc.colno})"))
            continue
        problem = None if isinstance(item, dict) else f"line holds a {type(item).__name__}, not an object"
        rows.append(SourceRow(number, item, problem))
    if not rows:
        raise IngestError(f"{filename} holds no records")
    if all(row.problem for row in rows):
        raise IngestError(f"{filename} is not JSON Lines: no line holds a JSON object (line 1: {rows[0].problem})")
    return rows


def _separator(header: str) -> str:
    """',' unless the header line clearly uses ';' (French Excel) or tabs."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _open_csv(text: str, filename: str, warnings_: list[str], max_rows: int | None, size_hint: int) -> Loaded:
    import pandas as pd

    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        raise IngestError(f"{filename} looks like JSON, not CSV: use --format json, jsonl, ocds or decp")
    header = stripped.split("\n", 1)[0]
    sep = _separator(header)
    try:
        columns = [str(c) for c in pd.read_csv(io.StringIO(header), sep=sep, dtype=str, nrows=0).columns]
    except pd.errors.EmptyDataError as exc:
        raise IngestError(f"{filename} is empty") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        cause = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise IngestError(f"{filename} is not readable CSV: {cause}") from exc
    chunks = _csv_chunks(text, filename, sep, max_rows)
    first = next(chunks, None)  # the first chunk decides whether the file is readable at all
    if first is None:
        raise IngestError(f"{filename} has a header but no data rows", "e_no_rows", file=filename)

    def all_chunks() -> Iterator[list[SourceRow]]:
        yield first
        yield from chunks

    return Loaded("csv", warnings=warnings_, columns=columns, chunks=all_chunks(), size_hint=size_hint)


def _csv_chunks(text: str, filename: str, sep: str, max_rows: int | None) -> Iterator[list[SourceRow]]:
    """Rows of a CSV text, CHUNK_ROWS at a time, with their line numbers (header = line 1)."""
    import pandas as pd

    line, count = 2, 0
    skipped: dict[int, str] = {}

    def read(step: Any) -> Any:
        """One pandas step, its 'Skipping line' warnings collected (never held across a yield)."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return step()
            except StopIteration:
                return None
            except pd.errors.EmptyDataError as exc:
                raise IngestError(f"{filename} is empty") from exc
            except (pd.errors.ParserError, ValueError) as exc:
                cause = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
                raise IngestError(f"{filename} is not readable CSV: {cause}") from exc
            finally:
                for warning in caught:
                    for match in _SKIPPED_LINE.finditer(str(warning.message)):
                        skipped[int(match.group(1))] = match.group(2).strip()

    reader = read(
        lambda: pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            on_bad_lines="warn",
            chunksize=CHUNK_ROWS,
        )
    )
    while (frame := read(lambda: next(reader))) is not None:
        rows: list[SourceRow] = []
        columns = [str(column) for column in frame.columns]
        for record in frame.to_dict("records"):
            while line in skipped:
                rows.append(SourceRow(line, None, f"wrong number of fields: {skipped.pop(line)}"))
                line += 1
            values = {column: _clean_cell(record[column]) for column in columns}
            if any(value != "" for value in values.values()):
                rows.append(SourceRow(line, values))
            line += 1
        count += len(rows)
        if max_rows is not None and count > max_rows:
            raise too_many_rows(filename, f"more than {max_rows}", max_rows)
        if rows:
            yield rows
    tail = [SourceRow(n, None, f"wrong number of fields: {skipped[n]}") for n in sorted(skipped)]
    if tail:
        yield tail


def _clean_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _open_parquet(data: bytes, filename: str, max_rows: int | None) -> Loaded:
    """Rows counted from the footer metadata first (nothing decoded), then read batch by batch."""
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(io.BytesIO(data))
        total = handle.metadata.num_rows
        columns = [str(name) for name in handle.schema_arrow.names]
    except Exception as exc:  # pyarrow raises several unrelated types for a damaged file
        raise IngestError(f"{filename} is not a readable Parquet file: {str(exc).splitlines()[0]}") from exc
    if max_rows is not None and total > max_rows:
        raise too_many_rows(filename, total, max_rows)
    if total == 0:
        raise IngestError(f"{filename} holds no rows")

    def chunks() -> Iterator[list[SourceRow]]:
        index = 1
        try:
            for batch in handle.iter_batches(batch_size=CHUNK_ROWS):
                rows = []
                for record in batch.to_pylist():
                    rows.append(SourceRow(index, {str(key): _plain(value) for key, value in record.items()}))
                    index += 1
                yield rows
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError(f"{filename} is not a readable Parquet file: {str(exc).splitlines()[0]}") from exc

    return Loaded("parquet", columns=columns, chunks=chunks(), size_hint=total)


def _plain(value: Any) -> Any:
    """numpy / pandas scalars and arrays → plain Python values; missing → None."""
    if value is None:
        return None
    if hasattr(value, "tolist") and not hasattr(value, "to_pydatetime"):
        value = value.tolist()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        import pandas as pd

        if value is pd.NaT or value is pd.NA:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return value
