"""Control characters: removed from what is stored, shown as visible escapes in what is printed.

A terminal acts on C0/C1 control characters (ESC starts a sequence that can set the window title, clear the
screen or blink), so stored text keeps only newline and tab, and printed text names any others it meets.
"""

import re

_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85]")
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` without control characters: CR, CRLF, VT, FF and NEL become newlines, tabs and newlines stay,
    every other C0/C1 character and DEL is removed."""
    return _HIDDEN.sub("", _LINE_BREAKS.sub("\n", text))


def show_controls(text: str) -> str:
    """``text`` safe for a terminal: each control character but newline and tab written as its Python
    escape, e.g. ``\\x1b``."""
    return _HIDDEN.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)
