"""Markdown and table views of one article's verdicts, for Prefect artifacts and terminals.

Every string taken from an article, its evidence or a reviewer is wrapped in Unicode isolates (FSI … PDI), so
that Arabic inside an English line (or the reverse) keeps its own direction and does not reorder the line around
it; the labels are plain words, readable without an emoji font."""

import re
from collections.abc import Sequence
from datetime import datetime

from evidence_store.text.clip import one_line
from evidence_store.types import Passage
from verify.prior.labels import rated_label
from verify.reports.links import is_web_url
from verify.types import Article, Citation, Claim, Verdict

BADGES = {"supported": "SUPPORTED", "disputed": "DISPUTED", "unverified": "UNVERIFIED"}
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate, pop directional isolate

# what could open a link, an image, raw HTML, an autolink or emphasis in text taken from articles and evidence
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")
# what a link destination cannot hold as is: whitespace, controls, parentheses, angle brackets, backslash, quotes
_URL_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f()<>\\`\"']")


def _text(value: str) -> str:
    """``value`` on one line, with every character that markdown would read as syntax escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def first_words(text: str, count: int = 8) -> str:
    """The first ``count`` words of ``text`` (with "…" when there are more): a readable name for an untitled text."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _iso(value: str) -> str:
    """``value`` as text (see ``_text``), isolated in its own direction."""
    return f"{FSI}{_text(value)}{PDI}"


def _snippet(text: str, width: int = 160) -> str:
    """``text`` on one line, cut to ``width`` characters, isolated."""
    return _iso(one_line(text, width))


def _link(url: str | None, text: str) -> str:
    """A markdown link when ``url`` is http(s) (its awkward characters percent-encoded); the text alone otherwise.
    ``text`` is markdown already (escaped, its parts isolated)."""
    if not is_web_url(url):
        return text
    encoded = _URL_UNSAFE.sub(lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode()), url)
    return f"[{text}]({encoded})"


def _date(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "undated"


def _source(citation: Citation) -> str:
    passage = citation.passage
    label = passage.publisher or passage.url or passage.doc_id
    return _link(passage.url, f"{_iso(label)}, {_date(passage.published_at)}")


def _fact_check_source(passage: Passage) -> str:
    """``fact_check_source`` with its publisher isolated."""
    publisher = passage.publisher or passage.title or passage.doc_id
    return f"{_iso(publisher)} on {_date(passage.published_at)}" if passage.published_at else _iso(publisher)


def _rated(citation: Citation) -> str:
    rating = citation.passage.rating
    return f"rated «{_iso(rating or 'unrated')}» ({rated_label(rating)[1]})"


def _prior_line(citation: Citation) -> str:
    """The published fact-check a verdict follows: who rated the claim, when, how, and the claim it reviewed."""
    passage = citation.passage
    source = _link(passage.url, _fact_check_source(passage))
    reviewed = f" — claim reviewed: “{_snippet(passage.claim_reviewed, 300)}”" if passage.claim_reviewed else ""
    return f"**Previously fact-checked** by {source}: {_rated(citation)}{reviewed}"


def _citation_line(citation: Citation) -> str:
    if citation.prior_fact_check:  # its stance is its rating, not a model's reading
        return (
            f"- {_source(citation)}: prior fact-check of this claim, {_rated(citation)} "
            f"(claim match {citation.relevance:.2f}) — “{_snippet(citation.passage.text)}”"
        )
    stance = citation.stance
    rating = f" (prior fact-check rated *{_iso(citation.passage.rating)}*)" if citation.passage.rating else ""
    return (
        f"- {_source(citation)}{rating}: {citation.cited_as} "
        f"(supports {stance.supports:.2f}, refutes {stance.refutes:.2f}, relevance {citation.relevance:.2f}) — "
        f"“{_snippet(citation.passage.text)}”"
    )


def verdicts_markdown(article: Article, scored: Sequence[tuple[Claim, Verdict]], run_id: str) -> str:
    """The article's claims with verdict labels, confidence, justification and cited sources as links."""
    counts = {label: sum(1 for _, v in scored if v.label == label) for label in BADGES}
    prior_count = sum(1 for _, v in scored if v.prior_fact_check is not None)
    title = article.title or article.url or first_words(article.text) or "Untitled article"
    lines = [
        f"# {_iso(title)}",
        "",
        " · ".join(
            part
            for part in (
                _iso(article.publisher) if article.publisher else None,
                article.published_at.date().isoformat() if article.published_at else None,
                _link(article.url, "source") if is_web_url(article.url) else None,
                f"language {_text(article.language)}" if article.language else None,
                f"article `{article.article_id[:12]}`",
                f"run `{run_id}`",
            )
            if part
        ),
        "",
        f"**{len(scored)} claims:** "
        + ", ".join(f"{BADGES[label]} {counts[label]}" for label in BADGES)
        + (f" · {prior_count} previously fact-checked" if prior_count else ""),
    ]
    for number, (claim, verdict) in enumerate(scored, start=1):
        prior = verdict.prior_fact_check
        flag = " · previously fact-checked" if prior else ""
        flag += " · conflicting evidence" if verdict.conflicting else ""
        lines += ["", f"## {number}. {BADGES[verdict.label]} · confidence {verdict.confidence:.0%}{flag}", ""]
        if prior:
            lines += [_prior_line(prior), ""]
        lines += [f"> {_snippet(claim.text, 600)}", ""]
        if claim.speaker:
            lines.append(f"Speaker: **{_iso(claim.speaker)}** · type: {claim.claim_type} · claim `{claim.claim_id}`")
        else:
            lines.append(f"Type: {claim.claim_type} · claim `{claim.claim_id}`")
        lines += ["", f"*{_iso(verdict.justification)}*"]
        if verdict.citations:
            lines += ["", *(_citation_line(citation) for citation in verdict.citations)]
    return "\n".join(lines)


def _cited(citation: Citation) -> str:
    return "prior fact-check of this claim" if citation.prior_fact_check else citation.cited_as


def top_citation_text(verdict: Verdict) -> str:
    """The verdict's first citation as one plain line (publisher, date, how it was cited, a snippet), for a form."""
    if not verdict.citations:
        return "No passage decided it."
    citation = verdict.citations[0]
    passage = citation.passage
    source = passage.publisher or passage.url or passage.doc_id
    snippet = one_line(passage.text, 160)
    return (
        f"Top citation ({_cited(citation)}): {FSI}{source}{PDI}, {_date(passage.published_at)}: “{FSI}{snippet}{PDI}”"
    )


def review_brief(scored: Sequence[tuple[Claim, Verdict]]) -> str:
    """What the reviewer sees above the review form: how to use it, then each claim with the machine's verdict,
    confidence and top citation."""
    lines = [
        "**Review these verdicts.** For each claim choose a rating (or leave it undecided) and say why in its note; "
        "a rating that changes the machine's verdict needs a note. Tick *Approve every undecided verdict* to confirm "
        "the rest as they are. Undecided claims stay in the review queue (`sanad report --needs-review`).",
    ]
    for number, (claim, verdict) in enumerate(scored, start=1):
        top = verdict.citations[0] if verdict.citations else None
        lines += [
            "",
            f"**{number}. {BADGES[verdict.label]} · {verdict.confidence:.0%}** — {_snippet(claim.text, 300)}",
            "",
            f"- {_source(top)}: {_cited(top)} — “{_snippet(top.passage.text)}”" if top else "- no passage decided it",
        ]
    return "\n".join(lines)


def verdicts_table(scored: Sequence[tuple[Claim, Verdict]]) -> list[dict[str, str]]:
    """One row per claim: verdict and confidence first (they must be on screen), then the claim, speaker, the published
    fact-check it follows (if any), its strongest source and the justification."""
    rows = []
    for claim, verdict in scored:
        top = verdict.citations[0] if verdict.citations else None
        prior = verdict.prior_fact_check
        rows.append(
            {
                "verdict": BADGES[verdict.label] + (" (conflicting)" if verdict.conflicting else ""),
                "confidence": f"{verdict.confidence:.0%}",
                "claim": _snippet(claim.text, 200),
                "speaker": _iso(claim.speaker) if claim.speaker else "",
                "prior fact-check": f"{_fact_check_source(prior.passage)}: {_rated(prior)}" if prior else "",
                "top source": _source(top) if top else "",
                "justification": _snippet(verdict.justification, 200),
            }
        )
    return rows
