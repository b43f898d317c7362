"""Validated shapes of startups, buyers and tenders: one definition for ingestion, API and CLI.

List fields accept a real list or a string separated by ';' or '|' (spreadsheets). Dates accept ISO
strings, with or without a zone (UTC assumed), and are stored timezone-aware.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    field_validator,
    model_validator,
)

from matcher.cpv import parse_cpv_list
from matcher.errors import CodedValueError
from matcher.text import normalize, single_line

# Size bounds of every text field (characters) and list (items): a request or an import row larger
# than these is refused with the field named, before it reaches the store or the indexes.
NAME_MAX = 300
TITLE_MAX = 1_000
DESCRIPTION_MAX = 20_000
SHORT_MAX = 200  # city, region, procedure, timezone, one list item
URL_MAX = 2_048
LIST_MAX = 100  # sectors, tags, certifications, references, ...
CPV_MAX = 100
LOTS_MAX = 200

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def _check_email(value: Any) -> Any:
    if value is not None and len(str(value)) > 254:
        raise CodedValueError("an e-mail address has at most 254 characters", "v_email_too_long", max=254)
    if value is not None and not _EMAIL.match(str(value).strip()):
        raise CodedValueError(f"not an e-mail address: {value!r}", "v_not_email", value=str(value))
    return None if value is None else str(value).strip()


Email = Annotated[str, BeforeValidator(_check_email)]


class BuyerKind(StrEnum):
    ministry = "ministry"
    public_enterprise = "public_enterprise"
    local_authority = "local_authority"
    corporate = "corporate"
    bank = "bank"


class TenderStatus(StrEnum):
    open = "open"
    closed = "closed"
    awarded = "awarded"
    cancelled = "cancelled"


class Language(StrEnum):
    fr = "fr"
    ar = "ar"
    en = "en"


MOROCCAN_REGIONS = (
    "Tanger-Tétouan-Al Hoceïma",
    "L'Oriental",
    "Fès-Meknès",
    "Rabat-Salé-Kénitra",
    "Béni Mellal-Khénifra",
    "Casablanca-Settat",
    "Marrakech-Safi",
    "Drâa-Tafilalet",
    "Souss-Massa",
    "Guelmim-Oued Noun",
    "Laâyoune-Sakia El Hamra",
    "Dakhla-Oued Ed-Dahab",
)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from pandas
        return True
    return isinstance(value, str) and not value.strip()


def _none_if_missing(value: Any) -> Any:
    return None if _is_missing(value) else value


def _split_list(value: Any, item_max: int = SHORT_MAX) -> list[str]:
    if _is_missing(value):
        return []
    if isinstance(value, list | tuple | set) and len(value) > LIST_MAX:
        raise CodedValueError(f"at most {LIST_MAX} items, got {len(value)}", "v_too_many_items", max=LIST_MAX)
    if isinstance(value, str):
        parts = re.split(r"[;|]", value)
    elif isinstance(value, list | tuple | set):
        parts = [str(v) for v in value if not _is_missing(v)]
    else:
        parts = [str(value)]
    seen: list[str] = []
    for part in parts:
        clean = single_line(part)
        if len(clean) > item_max:
            raise CodedValueError(
                f"item {clean[:30]!r}… is longer than {item_max} characters", "v_item_too_long", max=item_max
            )
        if clean and clean not in seen:
            seen.append(clean)
    if len(seen) > LIST_MAX:
        raise CodedValueError(f"at most {LIST_MAX} items, got {len(seen)}", "v_too_many_items", max=LIST_MAX)
    return seen


def _to_datetime(value: Any) -> Any:
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return _to_datetime(value.to_pydatetime())
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _to_bool(value: Any) -> Any:
    if _is_missing(value):
        return None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes", "oui", "y", "o", "vrai"}:
            return True
        if lowered in {"0", "false", "no", "non", "n", "faux"}:
            return False
        raise CodedValueError(f"not a yes/no value: {value!r}", "v_not_yes_no", value=str(value))
    return value


def _to_int(value: Any) -> Any:
    if _is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _upper_code(value: Any) -> Any:
    return None if _is_missing(value) else str(value).strip().upper()


def _lower_code(value: Any) -> Any:
    return None if _is_missing(value) else str(value).strip().lower()


def _cpv_list(value: Any) -> list[str]:
    if _is_missing(value):
        return []
    if isinstance(value, str) and len(value) > CPV_MAX * 12:
        raise CodedValueError(f"at most {CPV_MAX} CPV codes", "v_too_many_cpv", max=CPV_MAX)
    if isinstance(value, list | tuple | set) and len(value) > CPV_MAX:
        raise CodedValueError(f"at most {CPV_MAX} CPV codes, got {len(value)}", "v_too_many_cpv", max=CPV_MAX)
    return parse_cpv_list(value)


def _one_line_or_none(value: Any) -> Any:
    return None if _is_missing(value) else single_line(value) if isinstance(value, str) else value


def _http_url(value: Any) -> Any:
    """Only http(s) links: a `javascript:` or `data:` URL would run in a page or an e-mail link."""
    if _is_missing(value):
        return None
    text = str(value).strip()
    if not re.match(r"(?i)^https?://[^\s/?#]+", text) or any(ch in text for ch in "\r\n\t <>\"'"):
        raise CodedValueError("must be an http:// or https:// address", "v_url_scheme")
    return text


def _text(value: Any) -> Any:
    return "" if _is_missing(value) else normalize(value) if isinstance(value, str) else value


StrList = Annotated[list[str], BeforeValidator(_split_list)]
# Past contracts are named by their titles, which may be as long as a tender's title.
TitleList = Annotated[list[str], BeforeValidator(lambda value: _split_list(value, TITLE_MAX))]
CPVList = Annotated[list[str], BeforeValidator(_cpv_list)]
OptStr = Annotated[Annotated[str, Field(max_length=SHORT_MAX)] | None, BeforeValidator(_one_line_or_none)]
Name = Annotated[str, BeforeValidator(lambda v: single_line(v) if isinstance(v, str) else v)]
Title = Annotated[str, BeforeValidator(lambda v: single_line(v) if isinstance(v, str) else v)]
Description = Annotated[str, BeforeValidator(_text), Field(max_length=DESCRIPTION_MAX)]
HttpUrl = Annotated[Annotated[str, Field(max_length=URL_MAX)] | None, BeforeValidator(_http_url)]
OptDateTime = Annotated[datetime | None, BeforeValidator(_to_datetime)]
OptInt = Annotated[int | None, BeforeValidator(_to_int)]
# Counts are bounded well above any real value and below what a 64-bit database column holds, so an
# absurd number is a 422 naming the field, never a database error.
COUNT_MAX = 10_000_000
Count = Annotated[int, Field(ge=0, le=COUNT_MAX)]
OptFloat = Annotated[float | None, BeforeValidator(_none_if_missing)]
Currency = Annotated[
    str, BeforeValidator(lambda v: "MAD" if _is_missing(v) else str(v).strip().upper()), Field(max_length=8)
]
ExternalId = Annotated[str, BeforeValidator(lambda v: normalize(str(v)) if not _is_missing(v) else v)]


def _no_nul(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise CodedValueError("contains a NUL byte", "v_nul_byte")
    elif isinstance(value, list | tuple | set):
        for item in value:
            _no_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)


class Checked(BaseModel):
    """Every input model: no NUL byte anywhere (PostgreSQL refuses them), no infinite or NaN number."""

    model_config = ConfigDict(allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        _no_nul(value)
        return value


class _Input(Checked):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, use_enum_values=True, allow_inf_nan=False)


class BuyerIn(_Input):
    external_id: ExternalId = Field(min_length=1, max_length=128, examples=["MA-MIN-DIGITAL"])
    name: Name = Field(min_length=1, max_length=NAME_MAX, examples=["Ministère de la Transition Numérique"])
    kind: Annotated[BuyerKind, BeforeValidator(_lower_code)] = BuyerKind.ministry
    city: OptStr = None
    region: OptStr = None
    country: Annotated[str, BeforeValidator(lambda v: "MA" if _is_missing(v) else str(v).upper())] = "MA"
    timezone: OptStr = None
    contact_email: Annotated[Email | None, BeforeValidator(_none_if_missing)] = None
    digest_opt_in: Annotated[bool, BeforeValidator(lambda v: False if _is_missing(v) else _to_bool(v))] = False


class StartupIn(_Input):
    external_id: ExternalId = Field(min_length=1, max_length=128, examples=["ST-0001"])
    name: Name = Field(min_length=1, max_length=NAME_MAX, examples=["PayNova"])
    description: Description = ""
    sectors: StrList = Field(default_factory=list, examples=[["fintech", "paiement"]])
    tags: StrList = Field(default_factory=list)
    cpv_codes: CPVList = Field(default_factory=list, examples=[["72000000", "66110000"]])
    technologies: StrList = Field(default_factory=list)
    city: OptStr = None
    region: OptStr = None
    founding_year: Annotated[Annotated[int, Field(ge=1900, le=2100)] | None, BeforeValidator(_to_int)] = None
    headcount: Annotated[Count | None, BeforeValidator(_to_int)] = None
    annual_revenue: Annotated[NonNegativeFloat | None, BeforeValidator(_none_if_missing)] = None
    revenue_currency: Currency = "MAD"
    certifications: StrList = Field(default_factory=list, examples=[["ISO 27001"]])
    references_count: Annotated[Count, BeforeValidator(lambda v: 0 if _is_missing(v) else _to_int(v))] = 0
    references: TitleList = Field(default_factory=list)
    labels: StrList = Field(default_factory=list, examples=[["Technopark Casablanca"]])
    languages: StrList = Field(default_factory=list, examples=[["fr", "ar", "en"]])
    preferred_language: Annotated[Language, BeforeValidator(lambda v: "fr" if _is_missing(v) else _lower_code(v))] = (
        Language.fr
    )
    contact_email: Annotated[Email | None, BeforeValidator(_none_if_missing)] = None
    digest_opt_in: Annotated[bool, BeforeValidator(lambda v: True if _is_missing(v) else _to_bool(v))] = True

    @model_validator(mode="after")
    def _count_at_least_listed(self) -> StartupIn:
        self.references_count = max(self.references_count, len(self.references))
        return self


class LotIn(_Input):
    lot_number: Annotated[Count, BeforeValidator(_to_int)]
    title: Title = Field(min_length=1, max_length=TITLE_MAX)
    description: Description = ""
    cpv_codes: CPVList = Field(default_factory=list)
    estimated_value: Annotated[NonNegativeFloat | None, BeforeValidator(_none_if_missing)] = None


class TenderIn(_Input):
    external_id: ExternalId = Field(min_length=1, max_length=128, examples=["AO-2026-0001"])
    title: Title = Field(
        min_length=1, max_length=TITLE_MAX, examples=["Plateforme de paiement mobile pour la billetterie"]
    )
    description: Description = ""
    buyer_external_id: OptStr = Field(default=None, examples=["MA-MIN-DIGITAL"])
    buyer_name: OptStr = None
    buyer_kind: Annotated[BuyerKind | None, BeforeValidator(_lower_code)] = None
    cpv_codes: CPVList = Field(default_factory=list)
    city: OptStr = None
    region: OptStr = None
    estimated_value: Annotated[NonNegativeFloat | None, BeforeValidator(_none_if_missing)] = None
    currency: Currency = "MAD"
    published_at: OptDateTime = None
    deadline_at: OptDateTime = None
    status: Annotated[TenderStatus, BeforeValidator(lambda v: "open" if _is_missing(v) else _lower_code(v))] = (
        TenderStatus.open
    )
    procedure: OptStr = None
    language: Annotated[Language | None, BeforeValidator(_lower_code)] = None
    source_url: HttpUrl = None
    min_years_in_business: Annotated[Annotated[int, Field(ge=0, le=200)] | None, BeforeValidator(_to_int)] = None
    min_revenue: Annotated[NonNegativeFloat | None, BeforeValidator(_none_if_missing)] = None
    min_references: Annotated[Count | None, BeforeValidator(_to_int)] = None
    required_certifications: StrList = Field(default_factory=list)
    reserved_for_sme: Annotated[bool, BeforeValidator(lambda v: False if _is_missing(v) else _to_bool(v))] = False
    guarantee_amount: Annotated[NonNegativeFloat | None, BeforeValidator(_none_if_missing)] = None
    lots: list[LotIn] = Field(default_factory=list, max_length=LOTS_MAX)

    @field_validator("deadline_at")
    @classmethod
    def _deadline_after_publication(cls, value: datetime | None, info: Any) -> datetime | None:
        published = info.data.get("published_at")
        if value is not None and published is not None and value < published:
            raise CodedValueError("deadline is before the publication date", "v_deadline_before_publication")
        return value
