"""The report as one self-contained HTML page: inline CSS and JS, no network, readable without JS.

Every string from an article, its evidence or a reviewer sits in its own ``<bdi>`` (or an element with
``dir="auto"`` holding nothing else), so Arabic inside an English line keeps its direction without reordering the
line. Counts, badges and the verdict filter use the final label: the reviewer's where there is one."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from html import escape
from itertools import groupby

from verify.prior.labels import rated_label
from verify.reports.links import is_web_url
from verify.reports.markdown import first_words
from verify.reports.ratings import shown_name
from verify.reports.types import ArticleInfo, ReportRow
from verify.types import Citation

_CSS = """
:root { --supported: #1a7f37; --disputed: #cf222e; --unverified: #8a6d00; --none: #6e7781;
        --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Naskh Arabic", sans-serif;
       color: var(--ink); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 16px 24px;
         position: sticky; top: 0; z-index: 1; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta, .muted { color: var(--muted); font-size: 13px; }
.filters { display: flex; gap: 12px; flex-wrap: wrap; align-items: center; margin-top: 10px; }
.filters input[type=search] { min-width: 260px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; }
.filters select { padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
section.article { margin: 20px 0 8px; }
section.article h2 { font-size: 17px; margin: 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 10px 0; }
.card.needs-review { border-left: 4px solid #bf8700; }
.top { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; color: #fff; font-weight: 600; font-size: 13px;
         text-transform: uppercase; letter-spacing: .03em; }
.badge.supported { background: var(--supported); } .badge.disputed { background: var(--disputed); }
.badge.unverified { background: var(--unverified); } .badge.none { background: var(--none); }
.bar { display: inline-block; width: 120px; height: 8px; background: #eaeef2; border-radius: 4px; overflow: hidden;
       vertical-align: middle; }
.bar > span { display: block; height: 100%; background: #0969da; }
.tag { font-size: 12px; padding: 1px 8px; border-radius: 4px; background: #fff8c5; border: 1px solid #d4a72c; }
.tag.conflict { background: #ffebe9; border-color: #ff8182; }
.tag.machine { background: #fff; border-color: var(--line); }
.tag.prior { background: #ddf4ff; border-color: #54aeff; }
.tag.rating { font-size: 13px; font-weight: 600; background: #fff; border-color: #57606a; }
.prior-check { background: #fff8c5; border: 1px solid #d4a72c; border-inline-start: 4px solid #bf8700;
               border-radius: 6px; padding: 8px 10px; margin: 10px 0 4px; }
.prior-check .reviewed { color: var(--muted); font-size: 13px; margin-top: 2px; }
.claim { font-size: 17px; margin: 10px 0 4px; }
.speaker { font-weight: 600; }
.context { color: var(--muted); font-size: 13px; border-inline-start: 3px solid var(--line);
           padding-inline-start: 8px; margin: 6px 0; }
.why { margin: 8px 0; }
.review { background: #ddf4ff; border: 1px solid #54aeff; border-radius: 6px; padding: 8px 10px; margin: 8px 0; }
ol.evidence { padding-left: 20px; margin: 8px 0; }
ol.evidence li { margin: 8px 0; }
.snippet { margin: 2px 0; }
.stance { font-size: 12px; color: var(--muted); }
.stance b.s { color: var(--supported); } .stance b.r { color: var(--disputed); }
footer.ids { font-size: 12px; color: var(--muted); margin-top: 8px; }
code { background: #eff1f3; padding: 1px 4px; border-radius: 4px; }
a { color: #0969da; }
.hidden { display: none; }
"""

_JS = """
(function () {
  var text = document.getElementById('q'), label = document.getElementById('label'),
      review = document.getElementById('review'), prior = document.getElementById('prior'),
      shown = document.getElementById('shown');
  function apply() {
    var q = text.value.trim().toLowerCase(), l = label.value, r = review.checked, p = prior.checked, n = 0;
    document.querySelectorAll('.card').forEach(function (card) {
      var ok = (!l || card.dataset.label === l) && (!r || card.dataset.review === '1') &&
               (!p || card.dataset.prior === '1') && (!q || card.dataset.text.indexOf(q) !== -1);
      card.classList.toggle('hidden', !ok);
      if (ok) { n += 1; }
    });
    document.querySelectorAll('section.article').forEach(function (section) {
      section.classList.toggle('hidden', !section.querySelector('.card:not(.hidden)'));
    });
    shown.textContent = n;
  }
  [text, label, review, prior].forEach(function (el) {
    el.addEventListener('input', apply);
    el.addEventListener('change', apply);
  });
  apply();
})();
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _date(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "undated"


def _u(value: object) -> str:
    """Text from an article, its evidence or a reviewer: escaped, and isolated in its own direction."""
    return f"<bdi>{_e(value)}</bdi>"


def _link(url: str | None, inner: str) -> str:
    """``inner`` (HTML) as a link when ``url`` is http(s); as it is otherwise (never a javascript: or data: link)."""
    if is_web_url(url):
        return f'<a href="{_e(url)}" rel="noopener noreferrer" target="_blank">{inner}</a>'
    return inner


def _rated(rating: str | None) -> str:
    """«rating» (its class in words), the rating isolated so that Arabic reads right inside English."""
    return f"rated «{_u(rating or 'unrated')}» ({_e(rated_label(rating)[1])})"


def _prior_check(citation: Citation) -> str:
    """The box at the top of a card whose verdict follows a published fact-check of the claim."""
    passage = citation.passage
    reviewed = ""
    if passage.claim_reviewed:
        reviewed = f'<div class="reviewed">Claim reviewed: {_u(passage.claim_reviewed)}</div>'
    source = _u(passage.publisher or passage.title or passage.doc_id)
    if passage.published_at:
        source += f" on {_date(passage.published_at)}"
    return (
        f'<div class="prior-check"><b>Previously fact-checked</b> by '
        f"{_link(passage.url, source)}: {_rated(passage.rating)}{reviewed}</div>"
    )


def _evidence(rank: int, citation: Citation) -> str:
    passage, stance = citation.passage, citation.stance
    prior = ""
    if passage.rating and not citation.prior_fact_check:
        prior = f' · prior fact-check: <span class="tag">{_u(passage.rating)}</span>'
    if citation.prior_fact_check:  # its stance is its rating, not a model's reading: say so
        read = (
            f"<b>prior fact-check</b> of this claim, {_rated(passage.rating)}: the verdict follows it · "
            f"claim match {citation.relevance:.2f}"
        )
    else:
        read = (
            f'cited as <b class="{citation.cited_as[0]}">{citation.cited_as}</b> · '
            f'supports <b class="s">{stance.supports:.0%}</b> · refutes '
            f'<b class="r">{stance.refutes:.0%}</b> · neutral {stance.neutral:.0%} · relevance '
            f"{citation.relevance:.2f} · weight {citation.weight:.2f}"
        )
    return (
        f"<li><div>{_link(passage.url, _u(passage.title or passage.url or passage.doc_id))} — "
        f'<span class="speaker">{_u(passage.publisher) if passage.publisher else "unknown publisher"}</span>, '
        f"{_e(_date(passage.published_at))}{prior}</div>"
        f'<div class="snippet" dir="auto">{_e(passage.text)}</div>'
        f'<div class="stance">{read} · passage {passage.passage_id} of <code>{_u(passage.doc_id)}</code></div></li>'
    )


def _prior(row: ReportRow) -> Citation | None:
    """The published fact-check the row's verdict follows, if any."""
    return row.verdict.verdict.prior_fact_check if row.verdict else None


def _card(row: ReportRow) -> str:
    claim, stored, review, prior = row.claim, row.verdict, row.review, _prior(row)
    label = _final(row)
    parts = [f'<span class="badge {_e(label)}">{_e(label if label != "none" else "not scored")}</span>']
    rating = shown_name(review.rating, claim.language) if review else None
    if rating:
        parts.append(f'<span class="tag rating" title="the reviewer’s rating">{_u(rating)}</span>')
    machine = _machine(row) or "none"
    if review and review.label != machine:
        parts.append(f'<span class="tag machine">machine: {_e(machine if stored else "not scored")}</span>')
    elif review:
        parts.append('<span class="tag machine">confirmed by the reviewer</span>')
    if stored:
        confidence = stored.verdict.confidence
        parts.append(
            f'<span class="bar" title="machine confidence"><span style="width:{confidence * 100:.0f}%">'
            f"</span></span> <span>{confidence:.0%}</span>"
        )
        if prior:
            parts.append('<span class="tag prior">previously fact-checked</span>')
        if stored.verdict.conflicting:
            parts.append('<span class="tag conflict">conflicting evidence</span>')
        if row.previous_label and row.previous_label != stored.verdict.label:
            parts.append(f'<span class="tag">was {_e(row.previous_label)}</span>')
    if row.review_reasons:
        reasons = ", ".join(_u(reason) for reason in row.review_reasons)  # may name a publisher
        parts.append(f'<span class="tag">needs review: {reasons}</span>')
    body = [f'<div class="top">{" ".join(parts)}</div>']
    if prior:
        body.append(_prior_check(prior))
    if claim.previous_sentence:
        body.append(
            f'<div class="context" dir="auto" title="the sentence before the claim">{_e(claim.previous_sentence)}</div>'
        )
    body.append(f'<div class="claim" dir="auto">{_e(claim.text)}</div>')
    if claim.speaker:
        said = f" — “{_u(claim.attributed_content)}”" if claim.attributed_content else ""
        body.append(f'<div>said by <span class="speaker">{_u(claim.speaker)}</span>{said}</div>')
    if review:
        body.append(
            f'<div class="review"><b>Reviewer’s rating: {_u(rating or "")}</b> by {_u(review.reviewer)}, '
            f'{_e(_date(review.created_at))}<div dir="auto">{_e(review.note)}</div></div>'
        )
    searchable = [claim.text, claim.speaker or "", claim.attributed_content or "", review.note if review else ""]
    if stored:
        verdict = stored.verdict
        body.append(f'<div class="why"><b>Why:</b> {_u(verdict.justification)}</div>')
        if verdict.citations:
            items = "".join(_evidence(rank, c) for rank, c in enumerate(verdict.citations, 1))
            body.append(f'<ol class="evidence">{items}</ol>')
        else:
            body.append('<div class="muted">No passage decided this claim.</div>')
        body.append(
            f'<footer class="ids">claim <code>{_e(claim.claim_id)}</code> · verdict {stored.verdict_id} of run '
            f"<code>{_e(stored.run_id)}</code> · {_e(verdict.stance_model)} · {_e(stored.embedding_model)} "
            f"(store generation {stored.store_generation}) · recorded "
            f"{_e(stored.recorded_at.isoformat(timespec='minutes'))}</footer>"
        )
        searchable += [verdict.justification, *(c.passage.publisher or "" for c in verdict.citations)]
        if prior:
            searchable += [prior.passage.claim_reviewed or "", prior.passage.rating or ""]
    else:
        body.append(f'<footer class="ids">claim <code>{_e(claim.claim_id)}</code></footer>')
    data = (
        f'data-label="{_e(label)}" data-machine-label="{_e(machine)}" data-review="{int(row.needs_review)}" '
        f'data-prior="{int(prior is not None)}" '
        f'data-text="{_e(" ".join(searchable).lower())}"'
    )
    needs = " needs-review" if row.needs_review else ""
    return f'<article class="card{needs}" id="claim-{_e(claim.claim_id)}" {data}>{"".join(body)}</article>'


def _machine(row: ReportRow) -> str | None:
    return row.verdict.verdict.label if row.verdict else None


def _final(row: ReportRow) -> str:
    """The label a reader goes by: the reviewer's where there is one, else the machine's; "none" if neither."""
    return row.final_label or "none"


def _heading(article: ArticleInfo, rows: list[ReportRow]) -> str:
    """A readable name for the article: its title, else its URL, else its publisher and date, else its first
    claim's first words (never its hash id)."""
    if article.title or article.url:
        return _u(article.title or article.url)
    if article.publisher:
        return f"Article from {_u(article.publisher)}, {_e(_date(article.published_at))}"
    first = min(rows, key=lambda row: row.claim.start).claim.text
    return f"Untitled article: “{_u(first_words(first))}”"


def _article(article: ArticleInfo, rows: list[ReportRow]) -> str:
    """One article's claims, those a published fact-check had already rated first (else in article order)."""
    heading = _link(article.url, _heading(article, rows))
    rows = sorted(rows, key=lambda row: _prior(row) is None)
    prior_count = sum(_prior(row) is not None for row in rows)
    meta = " · ".join(
        part
        for part in (
            _u(article.publisher) if article.publisher else "",
            _e(_date(article.published_at)) if article.published_at else "",
            f"{len(rows)} claim(s)",
            f"{prior_count} previously fact-checked" if prior_count else "",
            f'article <code title="{_e(article.article_id)}">{_u(article.article_id[:12])}</code>',
        )
        if part
    )
    cards = "".join(_card(row) for row in rows)
    return f'<section class="article"><h2>{heading}</h2><div class="meta">{meta}</div>{cards}</section>'


def render_html(rows: Sequence[ReportRow], *, title: str, generated_at: datetime) -> str:
    """The whole report page."""
    counts = Counter(_final(row) for row in rows)
    overridden = sum(row.review is not None and row.final_label != _machine(row) for row in rows)
    summary = " · ".join(
        f'<span class="badge {name}">{counts[name]} {_e(name if name != "none" else "not scored")}</span>'
        for name in ("supported", "disputed", "unverified", "none")
        if counts[name]
    )
    if overridden:
        summary += f" · {overridden} changed by a reviewer"
    review_count = sum(row.needs_review for row in rows)
    prior_count = sum(_prior(row) is not None for row in rows)
    sections = "".join(_article(article, list(group)) for article, group in groupby(rows, key=lambda row: row.article))
    options = "".join(
        f'<option value="{value}">{text}</option>'
        for value, text in (
            ("", "all verdicts (final)"),
            ("supported", "supported"),
            ("disputed", "disputed"),
            ("unverified", "unverified"),
            ("none", "not scored"),
        )
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{_CSS}</style></head>
<body><header><h1>{_e(title)}</h1>
<div class="meta">generated {_e(generated_at.isoformat(timespec="seconds"))} · {len(rows)} claim(s) · {summary}
 · {review_count} need review · {prior_count} previously fact-checked</div>
<div class="filters"><input id="q" type="search" placeholder="Search claims, speakers, publishers…">
<select id="label" aria-label="verdict">{options}</select>
<label><input id="review" type="checkbox"> needs review only</label>
<label><input id="prior" type="checkbox"> previously fact-checked</label>
<span class="muted"><span id="shown">{len(rows)}</span> shown</span></div></header>
<main>{sections or '<p class="muted">No claims match this report.</p>'}</main>
<script>{_JS}</script></body></html>
"""
