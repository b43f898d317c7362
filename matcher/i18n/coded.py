"""Messages the domain returns as a code with parameters, rendered in any language at the edge.

The ranking core says ``("elig_gap_revenue_unknown", {"floor": 90000, "currency": "MAD"})``; the web
page, e-mail, API or CLI renders it with `render` in the reader's language. Amount parameters are
formatted as money in that language (``90 000 MAD`` / ``90,000 MAD``), other numbers as numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matcher.errors import CodedValueError
from matcher.i18n.catalogue import translate
from matcher.i18n.formats import format_money, format_number

# Parameters holding an amount in the message's ``currency`` parameter.
MONEY_PARAMS = frozenset({"floor", "declared", "guarantee", "amount"})
# Parameters holding a code that has its own message (a batch status 'approved' → 'status_approved').
CODE_PARAMS = {"status": "status_"}

Params = Mapping[str, str | int | float | None]


class CodedText(str):
    """English text that also carries a catalogue code and params: still a plain str for JSON, logs and CLI."""

    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str, **params: Any) -> CodedText:
        made = super().__new__(cls, text)
        made.code = code
        made.params = params
        return made


def render(lang: str | None, code: str, params: Params | None = None) -> str:
    """The message `code` in `lang`, its amounts and numbers written the way that language writes them."""
    values: dict[str, object] = {}
    currency = str((params or {}).get("currency") or "MAD")
    for name, value in (params or {}).items():
        if name in CODE_PARAMS and isinstance(value, str):
            values[name] = translate(lang, CODE_PARAMS[name] + value)
        elif name in MONEY_PARAMS and isinstance(value, int | float):
            money = format_money(value, currency, lang)
            values[name] = f"\u2066{money}\u2069" if lang == "ar" else money  # keeps its order in Arabic text
        elif isinstance(value, float) and not value.is_integer():
            values[name] = format_number(value, lang, 2)
        elif isinstance(value, float):
            values[name] = int(value)
        else:
            values[name] = "" if value is None else value
    return translate(lang, code, **values)


def render_coded(lang: str | None, item: Mapping[str, object] | str) -> str:
    """A stored ``{"code", "params", "message"}`` in `lang`; plain strings (older records) as they are."""
    if isinstance(item, str):
        return item
    code = item.get("code")
    params = item.get("params")
    if not isinstance(code, str):
        return str(item.get("message") or "")
    return render(lang, code, params if isinstance(params, Mapping) else None)


def error_code(error: Any) -> tuple[str, dict[str, Any]]:
    """A pydantic error as a catalogue code with parameters: domain codes kept, pydantic types as v_<type>."""
    context = dict(error.get("ctx") or {})
    cause = context.pop("error", None)
    if isinstance(cause, CodedValueError):
        return cause.code, dict(cause.params)
    kind = str(error.get("type", ""))
    if kind == "missing" or (error.get("input") is None and kind.endswith("_type")):
        return "v_missing", {}
    simple = {k: v if isinstance(v, int | float) else str(v) for k, v in context.items()}
    return f"v_{kind}", simple
