"""Which URLs the reports make into links: only http(s), never ``javascript:``, ``data:`` or ``vbscript:``."""


def is_web_url(url: str | None) -> bool:
    """True for an ``http://`` or ``https://`` URL (any case), the only kind a report links to."""
    return bool(url) and url.lower().startswith(("http://", "https://"))
