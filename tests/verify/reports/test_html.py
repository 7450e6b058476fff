"""The HTML report: one self-contained page, everything escaped, every verdict with its evidence."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import lxml.html

from tests.support.report_factories import (
    FACT_CHECK_URL,
    make_article,
    make_citation,
    make_claims,
    make_passage,
    make_prior_verdict,
    make_verdict,
    record_one_verdict,
)
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
    assert [card["data-label"] for card in cards] == ["supported", "supported", "unverified"]  # the reviewer's
    assert [card["data-machine-label"] for card in cards] == ["supported", "disputed", "unverified"]
    assert [card["data-review"] for card in cards] == ["0", "0", "1"]
    assert [card["id"] for card in cards] == [f"claim-{claim.claim_id}" for claim in claims]
    assert "Reviewer’s rating: <bdi>Mostly true</bdi>" in page and "The ministry's own statement confirms it." in text
    assert "the Foreign Minister" in text and claims[0].text in text  # speaker and context (claim 0 precedes claim 1)
    hrefs = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    assert "https://example.org/news/article-1" in hrefs
    assert {f"https://evidence.example.com/doc/{n}" for n in (1, 2, 3)} <= set(hrefs)
    assert "Reuters" in text and "2016-12-02" in text and run_id in text
    assert 'cited as <b class="s">supports</b> · supports <b class="s">80%</b>' in page
    widths = re.findall(r'style="width:(\d+)%"', page)
    assert widths == ["90", "60", "30"]  # confidence bars
    assert {attrs.get("id") for tag, attrs in parsed.tags if tag in ("input", "select")} == {
        "q",
        "label",
        "review",
        "prior",
    }


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


def _prior_store(store, fact_check_url: str = FACT_CHECK_URL):
    """The sample article with its last claim matched to a published fact-check, the others scored as usual."""
    article = make_article()
    claims = make_claims(article)
    run_id = store.start_run("verify-article")
    store.record_article(article)
    store.record_claims(claims)
    prior = make_prior_verdict(claims[2], (2,))
    fact_check = prior.citations[0]
    moved = fact_check.model_copy(update={"passage": fact_check.passage.model_copy(update={"url": fact_check_url})})
    store.record_verdicts(
        run_id,
        [
            (claims[0], make_verdict(claims[0], "supported", 0.9)),
            (claims[1], make_verdict(claims[1], "unverified", 0.3)),
            (claims[2], prior.model_copy(update={"citations": (moved, *prior.citations[1:])})),
        ],
        embedding_model="e5",
        store_generation=1,
    )
    return claims


def test_a_previously_fact_checked_claim_comes_first_with_its_fact_check_on_top(store):
    claims = _prior_store(store)
    page = render(store.report())
    parsed = parse(page)

    cards = [attrs for tag, attrs in parsed.tags if tag == "article"]
    assert [card["id"] for card in cards] == [f"claim-{claims[n].claim_id}" for n in (2, 0, 1)]  # then article order
    assert [card["data-prior"] for card in cards] == ["1", "0", "0"]
    first = page[page.index(f'id="claim-{claims[2].claim_id}"') : page.index(f'id="claim-{claims[0].claim_id}"')]
    top, rest = first.split('<div class="prior-check">', 1)
    assert '<span class="tag prior">previously fact-checked</span>' in top  # among the badges
    assert '<div class="context"' not in top and claims[2].text not in top  # the box comes before the claim
    box = rest.split("</div></div>", 1)[0]
    assert re.sub(r"<[^>]+>", "", box).startswith(
        "Previously fact-checked by مسبار on 2024-05-01: rated «زائف» (false)"
    )
    assert f'href="{FACT_CHECK_URL}"' in box and "Claim reviewed: " in box and "وصل وفد عسكري من قوات حفتر" in box
    evidence = first.split('<ol class="evidence">', 1)[1]
    fact_check, read = evidence.split("</li>", 2)[:2]
    assert "<b>prior fact-check</b> of this claim" in fact_check and "cited as" not in fact_check
    assert "supports <b" not in fact_check and "cited as" in read  # the passages the model read keep their stance
    other = page[page.index(f'id="claim-{claims[0].claim_id}"') :]
    assert "prior-check" not in other.split("</article>", 1)[0]

    inputs = {attrs.get("id"): attrs for tag, attrs in parsed.tags if tag == "input"}
    assert inputs["prior"]["type"] == "checkbox"
    assert "previously fact-checked" in " ".join(parsed.text)
    assert "card.dataset.prior === '1'" in page
    assert "1 previously fact-checked" in page


def test_a_prior_fact_check_with_an_unsafe_url_is_not_a_link(store):
    _prior_store(store, fact_check_url="javascript:alert(1)")
    parsed = parse(render(store.report()))
    hrefs = [attrs.get("href") for tag, attrs in parsed.tags if tag == "a"]
    assert hrefs and not any(href.startswith("javascript:") for href in hrefs)
    assert "Previously fact-checked" in " ".join(parsed.text)


def test_counts_badges_and_filter_follow_the_reviewer_with_the_machine_label_beside(store, scored):
    claims, _ = scored  # machine: supported, disputed, unverified; the disputed one reviewed as supported
    page = render(store.report())
    tree = lxml.html.fromstring(page)

    summary = tree.xpath("//header/div[@class='meta']")[0].text_content()
    assert "2 supported" in summary and "1 unverified" in summary and "disputed" not in summary
    assert "1 changed by a reviewer" in summary
    reviewed = tree.xpath(f"//article[@id='claim-{claims[1].claim_id}']")[0]
    assert reviewed.get("data-label") == "supported"  # what the verdict filter matches
    badges = [span.text_content() for span in reviewed.xpath(".//div[@class='top']/span")]
    assert badges[:3] == ["supported", "Mostly true", "machine: disputed"]
    assert [option.get("value") for option in tree.xpath("//select[@id='label']/option")][1:3] == [
        "supported",
        "disputed",
    ]
    assert "card.dataset.label === l" in page


def test_an_untitled_article_is_headed_by_its_first_words_and_its_id_is_small(store):
    article = make_article().model_copy(update={"title": None, "url": None, "publisher": None})
    claims, _ = record_one_verdict(store, article)
    tree = lxml.html.fromstring(render(store.report()))

    (heading,) = tree.xpath("//section[@class='article']/h2")
    words = " ".join(claims[0].text.split()[:8])
    assert heading.text_content().startswith(f"Untitled article: “{words}")
    assert article.article_id not in heading.text_content()
    (code,) = tree.xpath("//section[@class='article']/div[@class='meta']/code")
    assert code.get("title") == article.article_id and code.text_content() == article.article_id[:12]


def _isolating(element) -> bool:
    return element.tag == "bdi" or element.get("dir") == "auto"


def test_every_string_from_articles_evidence_and_reviewers_is_isolated_in_the_dom(store):
    # mixed Arabic and English: "Why:", "said by", a publisher and its date must not reorder each other
    strings = {
        "title": "وفد حفتر in Damascus 2020",
        "publisher": "عربي 21 Arabi21",
        "claim": "قال الوزير إن 3 طائرات وصلت",
        "speaker": "وزير الخارجية Foreign Minister",
        "attributed": "وصلت 3 طائرات to Benghazi",
        "context": "في 3 آذار March 3",
        "justification": "Supported by رويترز (2016-12-02)",
        "evidence title": "تقرير Report 7",
        "evidence publisher": "بي بي سي BBC",
        "evidence text": "وصلت 3 رحلات Cham Wings",
        "rating": "مضلل misleading",
        "reviewer": "رانية Rania",
        "note": "بيان الوزارة statement 2",
    }
    sentences = (strings["context"], strings["claim"])
    article = make_article(sentences=sentences).model_copy(
        update={"title": strings["title"], "publisher": strings["publisher"], "url": None}
    )
    claim = make_claims(article, sentences)[1].model_copy(
        update={"speaker": strings["speaker"], "attributed_content": strings["attributed"]}
    )
    passage = make_passage(1, publisher=strings["evidence publisher"], text=strings["evidence text"])
    passage = passage.model_copy(update={"title": strings["evidence title"], "rating": strings["rating"]})
    verdict = make_verdict(claim, "supported").model_copy(
        update={"citations": (make_citation(passage),), "justification": strings["justification"]}
    )
    run_id = store.start_run("verify-article")
    store.record_article(article)
    store.record_claims([claim])
    store.record_verdicts(run_id, [(claim, verdict)], embedding_model="e5", store_generation=1)
    store.add_review(claim.claim_id, "disputed", strings["note"], strings["reviewer"])
    tree = lxml.html.fromstring(render(store.report()))

    arabic = re.compile("[\u0600-\u06ff]")
    inserted = set(strings.values())
    found, stray = set(), []
    for element in tree.iter():
        if element.tag in ("script", "style", "title") or not isinstance(element.tag, str):
            continue
        for text, start in ((element.text, element), (element.tail, element.getparent())):
            if not text or not arabic.search(text):
                continue
            isolate = next((node for node in start.iterancestors() if _isolating(node)), None)
            isolate = start if _isolating(start) else isolate
            content = isolate.text_content().strip() if isolate is not None else None
            if content in inserted:
                found.add(content)
            else:
                stray.append((text, content))
    assert stray == []  # no Arabic outside an isolate holding exactly one inserted string
    assert found == inserted


def test_the_reviewers_rating_is_named_in_arabic_for_an_arabic_claim(store, scored):
    claims, _ = scored  # claim 0 is Arabic; claim 1 (English) is reviewed as mostly true
    store.add_review(claims[0].claim_id, "misleading", "الصورة من عام 2019.", "رانية")
    tree = lxml.html.fromstring(render(store.report()))
    ratings = {
        card.get("id"): card.xpath(".//span[contains(@class, 'rating')]")[0].text_content()
        for card in tree.xpath("//article")
        if card.xpath(".//span[contains(@class, 'rating')]")
    }
    assert ratings == {f"claim-{claims[0].claim_id}": "مضلِّل", f"claim-{claims[1].claim_id}": "Mostly true"}
    arabic = tree.xpath(f"//article[@id='claim-{claims[0].claim_id}']")[0]
    assert arabic.get("data-label") == "disputed"  # misleading falls under disputed, the filter's label
    assert "Reviewer’s rating: مضلِّل" in arabic.xpath(".//div[@class='review']/b")[0].text_content()
