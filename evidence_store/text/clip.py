"""Text shortened for display: one line, cut to a width."""


def one_line(text: str, width: int) -> str:
    """``text`` with its whitespace runs as single spaces, cut to ``width`` characters with "…" when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
