"""One-time conversion of the Python message dicts into the gettext catalogues (kept for the record).

Before the catalogue moved to ``matcher/i18n/locales``, the web words lived in ``service/web/i18n.py``
(``MESSAGES``: key → (French, English)) and the e-mail words in ``matcher/digests/messages.py`` (``TEXTS``
and ``FEATURES`` per language). This script read them from a checkout of that version and wrote one
``.po`` file per language; e-mail keys got the ``mail_`` prefix, feature labels ``feat_``. The ``.po``
files are the source of truth now: edit them, not this script.

    python scripts/convert_messages_to_po.py  # reads the dicts from git HEAD: only useful before they went
"""

from __future__ import annotations

import ast
import subprocess

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from matcher.i18n.catalogue import LANGUAGES, po_path

PLURALS = {  # key → the parameter holding the count
    "recipients_found": "count",
    "mail_subject_startup": "count",
    "mail_subject_buyer": "count",
}


def _literal(path: str, name: str, revision: str = "HEAD") -> dict:  # type: ignore[type-arg]
    """The dict literal assigned to `name` in `path` at `revision` (read from git, never imported)."""
    source = subprocess.run(["git", "show", f"{revision}:{path}"], check=True, capture_output=True, text=True).stdout
    for node in ast.parse(source).body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(target, ast.Name) and target.id == name and node.value is not None:  # type: ignore[union-attr]
            return ast.literal_eval(node.value)  # type: ignore[union-attr,no-any-return]
    raise SystemExit(f"{name} not found in {path}")


def collect() -> dict[str, dict[str, str]]:
    web = _literal("service/web/i18n.py", "MESSAGES")
    texts = _literal("matcher/digests/messages.py", "TEXTS")
    features = _literal("matcher/digests/messages.py", "FEATURES")
    out: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for key, (french, english) in web.items():
        out["fr"][key], out["en"][key] = french, english
    for lang in LANGUAGES:
        for key, text in texts[lang].items():
            if key != "date_format":  # dates are formatted by Babel now
                out[lang][f"mail_{key}"] = text
        for key, text in features[lang].items():
            out[lang][f"feat_{key}"] = text
    return out


def write(messages: dict[str, dict[str, str]]) -> None:
    keys = list(messages["fr"]) + [k for k in messages["en"] if k not in messages["fr"]]
    for lang in LANGUAGES:
        catalog = Catalog(locale=lang, domain="tremplin", project="Tremplin", version="1", fuzzy=False)
        for key in keys:
            text = messages[lang].get(key, "")
            if key in PLURALS:
                forms = [text] * catalog.num_plurals if text else [""] * catalog.num_plurals
                catalog.add((key, key), tuple(forms))
            else:
                catalog.add(key, text)
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, sort_output=False, include_lineno=False)


if __name__ == "__main__":
    write(collect())
