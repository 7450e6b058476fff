"""Hypothesis strategies for hostile input: odd Unicode, control and bidi characters, huge lines,
zip-bomb-like repetition, deep nesting, and broken JSON, CSV and HTML."""

import json

from hypothesis import strategies as st

CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\x0b", "\x0c", "\r", "\u2028", "\u2029"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u061c", "\u180e", "\ufff9"]
WORDS = [
    "قال",
    "الوزير",
    "إن",
    "دمشق",
    "٢٠٢٠",
    "ـــ",
    "The",
    "minister",
    "said",
    "that",
    "3.5%",
    "Cham Wings",
    "«",
    "»",
    '"',
    ".",
    "،",
    "؟",
    "\n",
    "\t",
    "<",
    ">",
    "&amp;",
    "&#0;",
    "&#x202E;",
    "]]>",
    "{",
    "}",
    "\\",
    "'",
    ",",
    "🙂",
    "ﷺ",
    "\U0001d54f",
    "e\u0301",
]

piece = st.one_of(
    st.sampled_from(CONTROL + BIDI + INVISIBLE + WORDS),
    st.text(max_size=12),
    st.characters(codec="utf-8"),
)


def _repeat(parts: tuple[str, int]) -> str:
    return parts[0] * parts[1]


# A short random text built from the pieces above.
text = st.lists(piece, max_size=40).map(" ".join)
# A huge single line, or one phrase repeated thousands of times (zip-bomb-like).
huge = st.one_of(
    st.tuples(st.sampled_from(["x", "ب", "word ", "a. ", "\u202e", "<b>", "."]), st.integers(20_000, 120_000)).map(
        _repeat
    ),
    st.tuples(text.filter(bool), st.integers(500, 3_000)).map(_repeat),
)
hostile_text = st.one_of(text, text, text, huge)

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text)
json_value = st.recursive(
    json_scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.one_of(st.sampled_from(["@type", "text"]), text), children)
    ),
    max_leaves=12,
)


def _nested(parts: tuple[int, str]) -> str:
    depth, open_close = parts
    return open_close[0] * depth + open_close[1] * depth


deep_json = st.tuples(st.integers(500, 200_000), st.sampled_from(["[]", "{}", "[", '{"a":'])).map(
    lambda p: p[1] * p[0] if len(p[1]) != 2 else _nested(p)
)

record_fields = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(hostile_text, json_value),
        "id": st.one_of(text, json_value),
        "url": st.one_of(text, json_value),
        "title": text,
        "publisher": st.one_of(text, json_value),
        "published_at": st.one_of(text, json_value, st.floats(), st.integers()),
        "lang": text,
        "claim_reviewed": text,
        "rating": text,
    },
)

# One JSONL line: a record, any JSON value, deep nesting, random text or random bytes.
jsonl_line = st.one_of(
    record_fields.map(lambda r: json.dumps(r, ensure_ascii=False).encode()),
    json_value.map(lambda v: json.dumps(v).encode()),
    deep_json.map(str.encode),
    hostile_text.map(lambda t: t.replace("\n", " ").encode()),
    st.binary(max_size=200).map(lambda b: b.replace(b"\n", b" ")),
)

_tag = st.sampled_from(["div", "p", "article", "span", "b", "table", "tr", "td", "ul", "li", "h1", "script", "svg"])


def _html_document(parts: tuple[str, int, str, list[str]]) -> str:
    tag, depth, body, extras = parts
    return (
        "<!doctype html><html><head><title>"
        + body[:200]
        + "</title>"
        + "".join(extras)
        + "</head><body>"
        + f"<{tag}>" * depth
        + body
        + f"</{tag}>" * depth
        + "</body></html>"
    )


json_ld = st.one_of(json_value.map(json.dumps), deep_json, text).map(
    lambda payload: f'<script type="application/ld+json">{payload}</script>'
)
html_page = st.one_of(
    st.tuples(_tag, st.integers(0, 3_000), hostile_text, st.lists(json_ld, max_size=2)).map(_html_document),
    hostile_text,
)
