"""The HTML report: one self-contained page, everything escaped, every verdict with its evidence."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from tests.support.report_factories import make_article, make_claims, make_passage, make_verdict
from verify.reports.html import render_html

SCRIPT = "<script>alert('x')</script>"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def render(rows) -> str:
    return render_html(rows, title="Sanad report", generated_at=datetime(2026, 11, 29, tzinfo=UTC))


def test_page_is_self_contained_and_shows_verdicts_reviews_and_evidence(store, scored):
    claims, run_id = scored
    page = render(store.report())
    parsed = parse(page)
    text = " ".join(parsed.text)

    assert not [
        attrs
        for tag, attrs in parsed.tags
        if tag in ("script", "link", "img") and (attrs.get("src") or attrs.get("href"))
    ]
    assert "@import" not in page and "url(" not in page
    cards = [attrs for tag, attrs in parsed.tags if tag == "article"]
    assert [card["data-label"] for card in cards] == ["supported", "disputed", "unverified"]
    assert [card["data-review"] for card in cards] == ["0", "0", "1"]
    assert [card["id"] for card in cards] == [f"claim-{claim.claim_id}" for claim in claims]
    assert "Reviewer’s verdict: supported" in text and "The ministry's own statement confirms it." in text
    assert "the Foreign Minister" in text and claims[0].text in text  # speaker and context (claim 0 precedes claim 1)
    hrefs = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    assert "https://example.org/news/article-1" in hrefs
    assert {f"https://evidence.example.com/doc/{n}" for n in (1, 2, 3)} <= set(hrefs)
    assert "Reuters" in text and "2016-12-02" in text and run_id in text
    assert 'cited as <b class="s">supports</b> · supports <b class="s">80%</b>' in page
    widths = re.findall(r'style="width:(\d+)%"', page)
    assert widths == ["90", "60", "30"]  # confidence bars
    assert {attrs.get("id") for tag, attrs in parsed.tags if tag in ("input", "select")} == {"q", "label", "review"}


def test_hostile_text_is_escaped_and_unsafe_links_are_not_links(store):
    sentences = (f"{SCRIPT} said the minister.", 'He "quoted" <b>bold</b> & more.')
    article = make_article(SCRIPT, sentences).model_copy(update={"url": "javascript:alert(1)", "title": SCRIPT})
    claims = make_claims(article, sentences)
    run_id = store.start_run("verify-article")
    store.record_article(article)
    store.record_claims(claims)
    verdict = make_verdict(claims[0], "supported")
    hostile = make_passage(9, publisher=SCRIPT, text=SCRIPT).model_copy(update={"url": "data:text/html,x"})
    cited = verdict.citations[0].model_copy(update={"passage": hostile})
    store.record_verdicts(
        run_id,
        [(claims[0], verdict.model_copy(update={"citations": (cited,)}))],
        embedding_model="e5",
        store_generation=1,
    )
    store.add_review(claims[1].claim_id, "disputed", SCRIPT, SCRIPT)

    page = render(store.report())
    parsed = parse(page)
    assert [tag for tag, _ in parsed.tags].count("script") == 1  # only the page's own filter script
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert SCRIPT in " ".join(parsed.text)  # shown as text
    hrefs = [attrs.get("href") for tag, attrs in parsed.tags if tag == "a"]
    assert not any(href.startswith(("javascript:", "data:")) for href in hrefs)


def test_empty_report_says_so():
    assert "No claims match this report." in render([])
