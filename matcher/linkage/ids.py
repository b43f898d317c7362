"""National company identifiers: Morocco's ICE, France's SIREN/SIRET, UK Companies House numbers.

Validation happens once, when an id enters the store, so linkage can compare ids as plain strings.
SIREN and SIRET carry a Luhn check digit; La Poste's establishments (SIREN 356 000 000) are numbered
past what Luhn allows, so their SIRETs are checked the way INSEE does it: the sum of the digits is a
multiple of 5. The ICE (Identifiant Commun de l'Entreprise) is 15 digits; its control key is not
published, so only the shape is checked.
"""

from __future__ import annotations

import re

SCHEMES = ("ICE", "SIREN", "SIRET", "UK_CH")
LA_POSTE_SIREN = "356000000"
_UK = re.compile(r"^(?:\d{8}|(?:SC|NI|OC|SO|NC|NL|NF|NZ|NP|IP|SP|SA|SE|SL|SR|RC|LP|SZ|ZC|FC|GE|GS|ES|R0|IC)\d{6})$")


class CompanyIdError(ValueError):
    """A company id that does not fit its scheme; the message says why (shown to the user)."""


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum INSEE uses for SIREN and SIRET."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value)


def normalize_company_id(scheme: str, value: str) -> str:
    """The canonical form of `value` under `scheme` (spaces and dots removed), or CompanyIdError."""
    scheme = (scheme or "").strip().upper().replace("-", "_")
    if scheme not in SCHEMES:
        raise CompanyIdError(f"unknown scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    raw = _digits(str(value or "").strip().upper())
    if not raw:
        raise CompanyIdError("empty company id")
    if scheme == "UK_CH":
        raw = raw.zfill(8) if raw.isdigit() and len(raw) < 8 else raw
        if not _UK.match(raw):
            raise CompanyIdError(f"{value!r} is not a Companies House number (8 characters, e.g. 01234567 or SC123456)")
        return raw
    if not raw.isdigit():
        raise CompanyIdError(f"{value!r}: a {scheme} has digits only")
    if set(raw) == {"0"}:
        raise CompanyIdError(f"{value!r}: a {scheme} cannot be all zeros")
    if scheme == "ICE":
        if len(raw) != 15:
            raise CompanyIdError(f"{value!r}: an ICE has 15 digits, not {len(raw)}")
        return raw
    if scheme == "SIREN":
        if len(raw) != 9:
            raise CompanyIdError(f"{value!r}: a SIREN has 9 digits, not {len(raw)}")
        if not luhn_ok(raw):
            raise CompanyIdError(f"{value!r}: wrong SIREN check digit")
        return raw
    if len(raw) != 14:
        raise CompanyIdError(f"{value!r}: a SIRET has 14 digits, not {len(raw)}")
    if raw.startswith(LA_POSTE_SIREN):
        if sum(int(c) for c in raw) % 5 != 0:
            raise CompanyIdError(f"{value!r}: wrong La Poste SIRET check")
        return raw
    if not luhn_ok(raw[:9]):
        raise CompanyIdError(f"{value!r}: wrong check digit in its SIREN part")
    if not luhn_ok(raw):
        raise CompanyIdError(f"{value!r}: wrong SIRET check digit")
    return raw


def company_key(scheme: str, value: str) -> str:
    """The comparable key of a company: a SIRET links on its SIREN (one company, many establishments)."""
    canonical = normalize_company_id(scheme, value)
    scheme = scheme.strip().upper().replace("-", "_")
    if scheme in ("SIREN", "SIRET"):
        return f"SIREN:{canonical[:9]}"
    return f"{scheme}:{canonical}"
