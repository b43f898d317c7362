"""Query parameters shared by the listing and matching routes (bounds keep SQL and ranking sane)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="Rows to skip.")]
MatchLimit = Annotated[int, Query(ge=1, le=100, description="How many matches.")]
MatchOffset = Annotated[int, Query(ge=0, le=1000, description="Matches to skip (for paging).")]
Region = Annotated[str | None, Query(max_length=120, description="Region name, e.g. 'Casablanca-Settat'.")]
CpvPrefix = Annotated[
    str | None, Query(pattern=r"^\d{1,8}$", description="Leading digits of a CPV code, e.g. '72' or '7221'.")
]
TextQuery = Annotated[str | None, Query(max_length=200, description="Text the name or description contains.")]


GradeFloor = Literal["strong", "good", "possible", "any"]
MinGrade = Annotated[
    GradeFloor | None,
    Query(
        description="Relevance floor: only matches of this calibrated grade or better (strong > good > possible); "
        "'any' shows every match. Default: the server setting (possible)."
    ),
]
