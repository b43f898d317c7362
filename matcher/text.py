"""Text normalisation shared by ingestion, hashing and lexical matching (French, Arabic, English)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTER_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")

FRENCH_STOPWORDS = frozenset(
    """a au aux avec ce ces dans de des du en et la le les leur lui ma mais me meme mes moi mon ne nos notre
    nous on ou par pas pour qu que qui sa se ses son sur ta te tes ton tu un une vos votre vous c d j l m n s t
    y ete etre est sont cette cet il ils elle elles afin ainsi lot lots marche marches relatif relative relatifs
    concernant objet prestation prestations fourniture fournitures travaux service services""".split()
)
ENGLISH_STOPWORDS = frozenset(
    """a an and are as at be by for from has have in is it its of on or that the to was were will with
    our we you your their they this these those""".split()
)
ARABIC_STOPWORDS = frozenset("""في من على الى إلى عن مع هذا هذه ذلك التي الذي او أو و ثم قد كل بين لدى""".split())


def normalize(text: str | None) -> str:
    """NFKC and collapsed whitespace: the canonical form we store, hash and embed."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text))).strip()


_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def single_line(text: str | None) -> str:
    """One line, safe in a mail header or a CSV cell: CR, LF and other control characters become spaces.

    Used for names and subjects (a name with "\\r\\nBcc:" must neither inject a header nor stop a send).
    """
    if not text:
        return ""
    return normalize(_LINE_BREAKS.sub(" ", str(text)))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading
    apostrophe (OWASP's CSV-injection rule). Numbers and other values are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# A letter lost in the source's encoding ("r\ufffdhabilitation", 29 % of DECP titles) is nearly always an
# accented e in French: folding it to "e" meets the intact spelling ("rehabilitation") instead of
# breaking the word in two stems ("rhabil…").
LOST_LETTER = "e"


def fold(text: str | None) -> str:
    """Lower-case, accent-free, Arabic-diacritic-free form for lexical matching."""
    text = normalize(text).lower()
    if text.isascii():  # most titles and codes: nothing to strip
        return text
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or _is_arabic(ch))
    stripped = _ARABIC_DIACRITICS.sub("", unicodedata.normalize("NFC", stripped))
    return stripped.translate(_ARABIC_LETTER_FOLD).replace("\ufffd", LOST_LETTER)


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff"


_ARABIC_STOP_FOLDED = frozenset(fold(w) for w in ARABIC_STOPWORDS)
ALL_STOPWORDS = FRENCH_STOPWORDS | ENGLISH_STOPWORDS | _ARABIC_STOP_FOLDED


_ARABIC_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")


def _strip_arabic_article(token: str) -> str:
    for prefix in _ARABIC_ARTICLES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            return token[len(prefix) :]
    return token


def tokenize(text: str | None) -> list[str]:
    """Folded word tokens without stop words; Arabic definite article stripped."""
    tokens = []
    for token in _TOKEN.findall(fold(text)):
        if token.isdigit() or len(token) < 2 or token in ALL_STOPWORDS:
            continue
        tokens.append(_strip_arabic_article(token) if _is_arabic(token[0]) else token)
    return tokens


def content_hash(*parts: object) -> str:
    """Stable hash of normalised content; keys the embedding cache and detects changes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(normalize(str(part) if part is not None else "").encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def detect_language(text: str | None) -> str:
    """Rough script/language guess: 'ar' when Arabic letters dominate, else 'fr' or 'en'."""
    text = text or ""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "fr"
    arabic = sum(1 for ch in letters if _is_arabic(ch))
    if arabic / len(letters) > 0.3:
        return "ar"
    words = set(_TOKEN.findall(fold(text)))
    french = len(words & FRENCH_STOPWORDS)
    english = len(words & ENGLISH_STOPWORDS)
    return "en" if english > french else "fr"
