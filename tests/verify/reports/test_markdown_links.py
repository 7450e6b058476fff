"""The markdown artifacts link only to http(s) URLs, and text from articles and evidence cannot add links or HTML.

Each page is parsed by a real CommonMark parser (markdown-it, as a markdown viewer would) and its links read
back from the tokens.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.support.report_factories import (
    make_article,
    make_citation,
    make_claims,
    make_fact_check,
    make_passage,
    make_prior_verdict,
    make_verdict,
)
from verify.reports.markdown import FSI, PDI, verdicts_markdown, verdicts_table

HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
]
INJECTIONS = [
    "[click](javascript:alert(1))",
    "![img](javascript:alert(1))",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<script>alert(1)</script>",
    "x]\n\n[y](javascript:alert(1)",
    "[ref]\n\n[ref]: javascript:alert(1)",
]


def parser() -> MarkdownIt:
    """CommonMark without markdown-it's own refusal of javascript: links: a viewer may not have one."""
    markdown = MarkdownIt("commonmark")
    markdown.validateLink = lambda url: True
    return markdown


def rendered_links(page: str) -> tuple[list[str], list[str]]:
    """(every link or image target, every raw HTML fragment) of ``page`` as a CommonMark parser reads it."""
    targets, html = [], []
    for token in parser().parse(page):
        if token.type.startswith("html"):
            html.append(token.content)
        for child in token.children or ():
            if child.type == "link_open":
                targets.append(str(child.attrs["href"]))
            elif child.type == "image":
                targets.append(str(child.attrs["src"]))
            elif child.type.startswith("html"):
                html.append(child.content)
    return targets, html


def page_citing(urls: list[str | None], publisher: str = "Reuters") -> str:
    article = make_article()
    claim = make_claims(article)[1]
    passages = [
        make_passage(number, publisher=publisher).model_copy(update={"url": url})
        for number, url in enumerate(urls, start=1)
    ]
    verdict = make_verdict(claim, "supported").model_copy(
        update={"citations": tuple(make_citation(passage) for passage in passages)}
    )
    return verdicts_markdown(article, [(claim, verdict)], run_id="run-1")


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_only_http_sources_become_links(url):
    page = page_citing([url, "https://evidence.example.com/doc/2", "HTTP://evidence.example.com/doc/3"])
    targets, html = rendered_links(page)
    assert targets == [
        "https://example.org/news/article-1",
        "https://evidence.example.com/doc/2",
        "HTTP://evidence.example.com/doc/3",
    ]
    assert html == []
    assert f"- {FSI}Reuters{PDI}, 2016-12-02: supports" in page  # the hostile source is still named, as plain text


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_hostile_article_or_fact_check_url_is_not_linked(url):
    article = make_article().model_copy(update={"url": url})
    claim = make_claims(article)[0]
    verdict = make_prior_verdict(claim)
    prior = verdict.citations[0].model_copy(update={"passage": make_fact_check().model_copy(update={"url": url})})
    verdict = verdict.model_copy(update={"citations": (prior, *verdict.citations[1:])})
    page = verdicts_markdown(article, [(claim, verdict)], run_id="run-1")
    targets, html = rendered_links(page)
    assert targets == ["https://evidence.example.com/doc/1"]
    assert html == []
    assert f"**Previously fact-checked** by {FSI}مسبار{PDI} on 2024-05-01: rated" in page
    assert "javascript" not in str(verdicts_table([(claim, verdict)])[0]["top source"]).lower()


def test_markdown_breaking_characters_stay_inside_their_link():
    url = "https://evidence.example.com/a)b c\n[x](javascript:alert(1))<y>"
    page = page_citing([url], publisher="Evil] (javascript:alert(1)) [x\n\n# heading")
    targets, html = rendered_links(page)
    assert targets == [
        "https://example.org/news/article-1",
        "https://evidence.example.com/a%29b%20c%0A%5Bx%5D%28javascript:alert%281%29%29%3Cy%3E",
    ]
    assert html == []
    tokens = parser().parse(page)
    assert sum(1 for t in tokens if t.type == "heading_open") == 2  # the title and the claim, no injected one


@pytest.mark.parametrize("injection", INJECTIONS)
def test_text_from_articles_and_evidence_adds_no_link_or_html(injection):
    article = make_article().model_copy(update={"title": injection, "publisher": injection})
    claims = make_claims(article)
    claim = claims[1].model_copy(update={"text": injection, "speaker": injection})
    passage = make_passage(1, publisher=injection, text=injection).model_copy(update={"rating": injection})
    verdict = make_verdict(claim, "disputed").model_copy(
        update={"citations": (make_citation(passage),), "justification": injection}
    )
    page = verdicts_markdown(article, [(claim, verdict)], run_id="run-1")
    targets, html = rendered_links(page)
    assert targets == ["https://example.org/news/article-1", "https://evidence.example.com/doc/1"]
    assert html == []


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(st.sampled_from([*"[]()<>!*_`\\:/\n #-a", "javascript:", "http://"]), max_size=30).map("".join),
    url=st.sampled_from([*HOSTILE_URLS, "https://ok.example/", None]),
)
def test_any_markup_in_text_only_ever_links_to_http(text, url):
    page = page_citing([url], publisher=text or None)
    targets, html = rendered_links(page)
    assert all(target.lower().startswith(("http://", "https://")) for target in targets)
    assert len(targets) == 1 + (url == "https://ok.example/")
    assert html == []
