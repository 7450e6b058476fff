"""Markdown and table views of one article's verdicts, for Prefect artifacts and terminals."""

import re
from collections.abc import Sequence

from verify.prior.labels import fact_check_source, rated_label
from verify.reports.links import is_web_url
from verify.types import Article, Citation, Claim, Verdict

BADGES = {"supported": "🟢 supported", "disputed": "🔴 disputed", "unverified": "⚪ unverified"}

# what could open a link, an image, raw HTML, an autolink or emphasis in text taken from articles and evidence
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")
# what a link destination cannot hold as is: whitespace, controls, parentheses, angle brackets, backslash, quotes
_URL_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f()<>\\`\"']")


def _text(value: str) -> str:
    """``value`` on one line, with every character that markdown would read as syntax escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def _snippet(text: str, width: int = 160) -> str:
    flat = " ".join(text.split())
    return _text(flat if len(flat) <= width else flat[: width - 1] + "…")


def _link(url: str | None, text: str) -> str:
    """A markdown link when ``url`` is http(s) (its awkward characters percent-encoded); the text alone otherwise."""
    if not is_web_url(url):
        return _text(text)
    encoded = _URL_UNSAFE.sub(lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode()), url)
    return f"[{_text(text)}]({encoded})"


def _source(citation: Citation) -> str:
    passage = citation.passage
    label = passage.publisher or passage.url or passage.doc_id
    date = passage.published_at.date().isoformat() if passage.published_at else "undated"
    return _link(passage.url, f"{label}, {date}")


def _rated(citation: Citation) -> str:
    rating = citation.passage.rating
    return f"rated «{_text(rating or 'unrated')}» ({rated_label(rating)[1]})"


def _prior_line(citation: Citation) -> str:
    """The published fact-check a verdict follows: who rated the claim, when, how, and the claim it reviewed."""
    passage = citation.passage
    source = _link(passage.url, fact_check_source(passage))
    reviewed = f" — claim reviewed: “{_snippet(passage.claim_reviewed, 300)}”" if passage.claim_reviewed else ""
    return f"**Previously fact-checked** by {source}: {_rated(citation)}{reviewed}"


def _citation_line(citation: Citation) -> str:
    if citation.prior_fact_check:  # its stance is its rating, not a model's reading
        return (
            f"- {_source(citation)}: prior fact-check of this claim, {_rated(citation)} "
            f"(claim match {citation.relevance:.2f}) — “{_snippet(citation.passage.text)}”"
        )
    stance = citation.stance
    rating = f" (prior fact-check rated *{_text(citation.passage.rating)}*)" if citation.passage.rating else ""
    return (
        f"- {_source(citation)}{rating}: {citation.cited_as} "
        f"(supports {stance.supports:.2f}, refutes {stance.refutes:.2f}, relevance {citation.relevance:.2f}) — "
        f"“{_snippet(citation.passage.text)}”"
    )


def verdicts_markdown(article: Article, scored: Sequence[tuple[Claim, Verdict]], run_id: str) -> str:
    """The article's claims with verdict badges, confidence, justification and cited sources as links."""
    counts = {label: sum(1 for _, v in scored if v.label == label) for label in BADGES}
    prior_count = sum(1 for _, v in scored if v.prior_fact_check is not None)
    title = article.title or (article.url or "Pasted article")
    lines = [
        f"# {_text(title)}",
        "",
        " · ".join(
            part
            for part in (
                _text(article.publisher) if article.publisher else None,
                article.published_at.date().isoformat() if article.published_at else None,
                _link(article.url, "source") if is_web_url(article.url) else None,
                f"language {_text(article.language)}" if article.language else None,
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
        flag = " · 📌 previously fact-checked" if prior else ""
        flag += " · ⚠️ conflicting evidence" if verdict.conflicting else ""
        lines += ["", f"## {number}. {BADGES[verdict.label]} · confidence {verdict.confidence:.0%}{flag}", ""]
        if prior:
            lines += [_prior_line(prior), ""]
        lines += [f"> {_snippet(claim.text, 600)}", ""]
        if claim.speaker:
            lines.append(f"Speaker: **{_text(claim.speaker)}** · type: {claim.claim_type} · claim `{claim.claim_id}`")
        else:
            lines.append(f"Type: {claim.claim_type} · claim `{claim.claim_id}`")
        lines += ["", f"*{_text(verdict.justification)}*"]
        if verdict.citations:
            lines += ["", *(_citation_line(citation) for citation in verdict.citations)]
    return "\n".join(lines)


def verdicts_table(scored: Sequence[tuple[Claim, Verdict]]) -> list[dict[str, str]]:
    """One row per claim: claim, speaker, verdict, confidence, the published fact-check it follows (if any) and its
    strongest source."""
    rows = []
    for claim, verdict in scored:
        top = verdict.citations[0] if verdict.citations else None
        prior = verdict.prior_fact_check
        rows.append(
            {
                "claim": _snippet(claim.text, 200),
                "speaker": _text(claim.speaker or ""),
                "verdict": verdict.label + (" (conflicting)" if verdict.conflicting else ""),
                "confidence": f"{verdict.confidence:.0%}",
                "prior fact-check": f"{_text(fact_check_source(prior.passage))}: {_rated(prior)}" if prior else "",
                "top source": _source(top) if top else "",
                "justification": _snippet(verdict.justification, 200),
            }
        )
    return rows
