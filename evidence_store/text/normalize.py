"""Unicode and Arabic normalisation shared by lexical search and claim matching."""

import re
import unicodedata

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_TATWEEL = "\u0640"
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u200b-\u200d]")
_ARABIC_LETTER_VARIANTS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def strip_invisible(text: str) -> str:
    """Remove bidi marks, zero-width characters and the byte-order mark."""
    return _BIDI_CONTROLS.sub("", text)


def fold_digits(text: str) -> str:
    """Map Arabic-Indic and Persian digits to ASCII digits."""
    return text.translate(_DIGITS)


def strip_diacritics(text: str) -> str:
    """Remove Arabic harakat, Quranic marks and tatweel (kashida)."""
    return _ARABIC_DIACRITICS.sub("", text).replace(_TATWEEL, "")


def fold_arabic_letters(text: str) -> str:
    """Unify alef (أ إ آ ٱ), yaa (ى ئ), waw (ؤ) and taa marbuta (ة) variants."""
    return text.translate(_ARABIC_LETTER_VARIANTS)


def normalize_arabic(text: str) -> str:
    """Diacritics, tatweel, letter variants and digits: the usual Arabic IR normalisation."""
    return fold_arabic_letters(strip_diacritics(fold_digits(text)))


def normalize_for_search(text: str) -> str:
    """NFKC, invisible characters removed, case folded, Arabic normalised."""
    return normalize_arabic(strip_invisible(unicodedata.normalize("NFKC", text)).casefold())


def arabic_ratio(text: str) -> float:
    """Share of letters in ``text`` that are Arabic script (0 when there are no letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f") / len(letters)
