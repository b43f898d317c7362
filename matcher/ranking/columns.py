"""The tender fields ranking reads for every candidate, as numpy columns that forked workers share.

Reading a Python object writes its reference count, so a worker forked from the loaded engine
(`tremplin serve --workers N`) copies every memory page holding an object a request reads. Ranking
reads ~300 candidate tenders per request (filters, features, eligibility, case matching), each a
record plus its title, codes, dates, amounts, folded text and CPV-group topics: within a few hundred
requests each worker had copied most of the catalogue (measured with `benchmarks/fork_memory.py`:
~200 MB per worker after 500 requests, topics alone 69 MB).

Here the same fields sit in a few large buffers (numbers, dates and flags as arrays; repeated strings
such as regions, buyers and CPV codes as small integer codes into one list of distinct values; titles
and folded texts in one UTF-8 buffer each; codes and topics as CSR rows). `TenderColumns.views(rows)`
rebuilds `TenderRecord`s (`text` left empty: ranking does not read it) from fresh objects, so a
request copies no page of the shared catalogue.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from matcher.ranking.cpv_inference import InferredCode
from matcher.ranking.tender_record import TenderRecord

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Strings:
    """Distinct strings, each in one UTF-8 buffer between two offsets."""

    def __init__(self, values: Sequence[str]) -> None:
        encoded = [value.encode("utf-8", "surrogatepass") for value in values]
        self.offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(item) for item in encoded], out=self.offsets[1:])
        self.buffer = b"".join(encoded)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def tolist(self) -> list[str]:
        return self.many(np.arange(len(self)))

    def many(self, rows: np.ndarray) -> list[str]:
        buffer = self.buffer
        return [
            buffer[start:end].decode("utf-8", "surrogatepass")
            for start, end in zip(self.offsets[rows].tolist(), self.offsets[rows + 1].tolist(), strict=True)
        ]

    def __getitem__(self, row: int) -> str:
        return self.buffer[int(self.offsets[row]) : int(self.offsets[row + 1])].decode("utf-8", "surrogatepass")


class Categories:
    """Repeated values (None allowed) as int32 codes into one list of the distinct values."""

    def __init__(self, values: Sequence[Any]) -> None:
        index: dict[Any, int] = {}
        self.codes = np.fromiter(
            (-1 if value is None else index.setdefault(value, len(index)) for value in values),
            dtype=np.int32,
            count=len(values),
        )
        self.values = [sys.intern(value) if isinstance(value, str) else value for value in index]


class Rows:
    """A tuple per row as CSR: `ptr` bounds each row's entries in every array of `columns`."""

    def __init__(self, values: Sequence[Sequence[Any]], parts: Sequence[Callable[[Any], Any]], dtypes: Sequence[str]):
        self.ptr = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum([len(row) for row in values], out=self.ptr[1:])
        flat = [item for row in values for item in row]
        self.columns = [
            np.array([part(item) for item in flat], dtype=dtype) if flat else np.zeros(0, dtype=dtype)
            for part, dtype in zip(parts, dtypes, strict=True)
        ]

    def many(self, rows: np.ndarray) -> list[list[list[Any]]]:
        """`lists` of each row, slicing one flat `tolist` per column."""
        starts, ends = self.ptr[rows], self.ptr[rows + 1]
        lengths = ends - starts
        if not lengths.any():
            return [[[] for _ in self.columns] for _ in range(len(rows))]
        flat = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        taken = [column[flat].tolist() for column in self.columns]
        bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
        return [[values[bounds[n] : bounds[n + 1]] for values in taken] for n in range(len(rows))]


class CodeRows:
    """Tuples of repeated strings (CPV codes, certifications): per row, codes into distinct values."""

    def __init__(self, values: Sequence[Sequence[str]]) -> None:
        self.names = Categories([item for row in values for item in row])
        self.ptr = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum([len(row) for row in values], out=self.ptr[1:])

    def many(self, rows: np.ndarray) -> list[tuple[str, ...]]:
        names = self.names.values
        starts, ends = self.ptr[rows].tolist(), self.ptr[rows + 1].tolist()
        codes = self.names.codes
        return [
            tuple([names[code] for code in codes[start:end].tolist()]) for start, end in zip(starts, ends, strict=True)
        ]


def _moments(values: Sequence[datetime | None]) -> tuple[np.ndarray, np.ndarray]:
    """Microseconds since the epoch (exact), and which rows have a UTC moment (None: no date)."""
    micros = np.zeros(len(values), dtype=np.int64)
    exact = np.ones(len(values), dtype=bool)
    for row, moment in enumerate(values):
        if moment is None:
            continue
        if moment.tzinfo is not UTC:  # naive or another zone: the row keeps its stored record
            exact[row] = False
            continue
        micros[row] = (moment - _EPOCH) // timedelta(microseconds=1)
    return micros, exact


def _optional(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers with None: values (0 where None), which are known, and which were Python ints."""
    known = np.fromiter((value is not None for value in values), dtype=bool, count=len(values))
    numbers = np.array([0 if value is None else value for value in values], dtype=np.float64)
    integral = np.fromiter((type(value) is int for value in values), dtype=bool, count=len(values))
    return numbers, known, integral


_SHARED = ("buyer_id", "buyer_name", "buyer_kind", "region", "city", "currency", "status", "language")
_NUMBERS = ("estimated_value", "min_years_in_business", "min_revenue", "min_references", "guarantee_amount")


class TenderColumns:
    """Every `TenderRecord` field but `text`, by column, for rows [0, size) of a tender table."""

    def __init__(self, records: Sequence[Any]) -> None:
        def column(name: str) -> list[Any]:
            return [getattr(record, name) for record in records]

        self.size = len(records)
        self.external_id = Strings(column("external_id"))
        self.title = Strings(column("title"))
        self.folded_text = Strings(column("folded_text"))
        self.shared = {name: Categories(column(name)) for name in _SHARED}
        self.numbers = {name: _optional(column(name)) for name in _NUMBERS}
        self.published_at, published_exact = _moments(column("published_at"))
        self.deadline_at, deadline_exact = _moments(column("deadline_at"))
        self.published_known = np.fromiter((r.published_at is not None for r in records), bool, len(records))
        self.deadline_known = np.fromiter((r.deadline_at is not None for r in records), bool, len(records))
        self.reserved_for_sme = np.fromiter((bool(r.reserved_for_sme) for r in records), bool, len(records))
        self.cpv_codes = CodeRows(column("cpv_codes"))
        self.required_certifications = CodeRows(column("required_certifications"))
        inferred = column("inferred_cpv")
        self.inferred_codes = CodeRows([[code.code for code in row] for row in inferred])
        self.inferred_confidence = Rows(inferred, [lambda code: code.confidence], ["float64"])
        pair = [lambda pair: pair[0], lambda pair: pair[1]]
        self.topics = Rows(column("topics"), pair, ["int64", "float64"])
        self.divisions = Rows(column("divisions"), pair, ["int64", "float64"])
        # Rows a view would not reproduce exactly keep their stored record (see TenderTable.hot).
        plain = np.fromiter((type(r.reserved_for_sme) is bool for r in records), bool, len(records))
        big = np.zeros(len(records), dtype=bool)
        for values, _, integral in self.numbers.values():
            big |= integral & (np.abs(values) > 2**53)
        self.exact = published_exact & deadline_exact & plain & ~big

    def views(self, rows: Sequence[int], ids: list[str] | None = None) -> list[TenderRecord]:
        """Fresh views of these rows (equal to their records' fields, `text` left empty), built column
        by column; `ids`: these rows' external ids, when the caller holds them already."""
        at = np.asarray(rows, dtype=np.int64)
        fields: dict[str, list[Any]] = {
            name: [column.values[code] if code >= 0 else None for code in column.codes[at].tolist()]
            for name, column in self.shared.items()
        }
        for name, (values, known, integral) in self.numbers.items():
            fields[name] = [
                (int(value) if whole else value) if present else None
                for value, present, whole in zip(
                    values[at].tolist(), known[at].tolist(), integral[at].tolist(), strict=True
                )
            ]
        for name, micros, known in (
            ("published_at", self.published_at, self.published_known),
            ("deadline_at", self.deadline_at, self.deadline_known),
        ):
            fields[name] = [
                _EPOCH + timedelta(microseconds=value) if present else None
                for value, present in zip(micros[at].tolist(), known[at].tolist(), strict=True)
            ]
        fields["reserved_for_sme"] = self.reserved_for_sme[at].tolist()
        fields["external_id"] = ids if ids is not None else self.external_id.many(at)
        for name in ("title", "folded_text"):
            fields[name] = getattr(self, name).many(at)
        for name in ("cpv_codes", "required_certifications"):
            fields[name] = getattr(self, name).many(at)
        codes = self.inferred_codes.many(at)
        confidences = self.inferred_confidence.many(at)
        fields["inferred_cpv"] = [
            tuple(InferredCode(code, c) for code, c in zip(names, values[0], strict=True))
            for names, values in zip(codes, confidences, strict=True)
        ]
        for name in ("topics", "divisions"):
            rows_of = getattr(self, name).many(at)
            fields[name] = [tuple(zip(keys, weights, strict=True)) for keys, weights in rows_of]
        fields["text"] = [""] * len(at)
        make = tuple.__new__
        return [
            make(TenderRecord, values) for values in zip(*(fields[name] for name in TenderRecord._fields), strict=True)
        ]
