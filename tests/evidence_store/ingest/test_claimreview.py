import json

import pytest

from evidence_store.ingest.claimreview import (
    claim_reviews_in_html,
    normalise_review_url,
    read_claim_review_file,
    record_documents,
    review_id,
)
from evidence_store.ingest.records import IngestIssue
from evidence_store.ingest.sources import load_sources
from evidence_store.ingest.tabular import read_jsonl
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from tests.support.shared import shared_file

REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://factcheck.example.org/cham-wings-mercenaries",
    "claimReviewed": "Cham Wings flights brought mercenaries from Syria to Benghazi",
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Mohamed Gununu"}},
    "author": {"@type": "Organization", "name": "Example Fact Check"},
    "datePublished": "2020-03-10",
    "inLanguage": "en",
    "reviewRating": {"@type": "Rating", "alternateName": "Unproven", "ratingExplanation": "No manifests were shown."},
}


def test_claim_review_in_a_page_becomes_a_rated_fact_check():
    html = (
        "<html><head><script type='application/ld+json'>"
        + json.dumps({"@graph": [{"@type": "WebPage"}, REVIEW]})
        + "</script><script type='application/ld+json'>{broken</script></head><body>x</body></html>"
    )
    (doc,) = claim_reviews_in_html(html, "https://factcheck.example.org/page")
    assert doc.rating == "Unproven"
    assert doc.claim_reviewed == REVIEW["claimReviewed"]
    assert doc.publisher == "Example Fact Check"
    assert doc.url == REVIEW["url"]
    assert "Made by: Mohamed Gununu." in doc.text and "No manifests were shown." in doc.text
    assert doc.published_at.isoformat().startswith("2020-03-10")


def test_data_feed_file_and_bad_reviews(tmp_path):
    feed = {
        "@type": "DataFeed",
        "dataFeedElement": [
            {"item": [REVIEW]},
            {"item": [{"@type": "ClaimReview", "claimReviewed": "No rating here"}]},
        ],
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    items = list(read_claim_review_file(path))
    assert isinstance(items[0], DocumentInput) and items[0].rating == "Unproven"
    assert isinstance(items[1], IngestIssue) and "reviewRating" in items[1].message


def test_json_without_reviews_is_an_issue(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"@type": "NewsArticle"}', encoding="utf-8")
    (issue,) = read_claim_review_file(path)
    assert issue.message == "no ClaimReview objects in the file"


def test_json_ld_reviews_get_an_id_from_their_url_and_pages_without_one_do_not():
    html = "<script type='application/ld+json'>{}</script>"
    (doc,) = claim_reviews_in_html(html.format(json.dumps(REVIEW)), "https://factcheck.example.org/page")
    assert doc.external_id == review_id(REVIEW["url"]) and doc.external_id.startswith("claimreview-")
    no_url = {key: value for key, value in REVIEW.items() if key != "url"}
    (doc,) = claim_reviews_in_html(html.format(json.dumps(no_url)), "https://factcheck.example.org/page")
    assert doc.url == "https://factcheck.example.org/page" and doc.external_id is None


# ---------------------------------------------------------------- Google Fact Check Tools API (claims:search)

GOOGLE_CLAIM = {
    "text": "Cham Wings flights brought mercenaries from Syria to Benghazi",
    "claimant": "Mohamed Gununu",
    "claimDate": "2020-03-01T00:00:00Z",
    "claimReview": [
        {
            "publisher": {"name": "Example Fact Check", "site": "factcheck.example.org"},
            "url": "https://factcheck.example.org/cham-wings-mercenaries",
            "title": "Did Cham Wings fly mercenaries to Benghazi?",
            "reviewDate": "2020-03-10T00:00:00Z",
            "textualRating": "Unproven",
            "languageCode": "en",
        },
        {
            "publisher": {"site": "tahaqaq.example.net"},
            "url": "https://tahaqaq.example.net/ar/cham-wings",
            "title": "أجنحة الشام ونقل المرتزقة",
            "reviewDate": "2020-03-12",
            "textualRating": "مضلل",
            "languageCode": "ar",
        },
    ],
}
SECOND_CLAIM = {
    "text": "Libya's eastern government opened an embassy in Damascus",
    "claimReview": [
        {
            "publisher": {"name": "Another Checker"},
            "url": "https://another.example.com/embassy",
            "textualRating": "True",
            "languageCode": "en",
        }
    ],
}


def documents_and_issues(items):
    items = list(items)
    return [i for i in items if isinstance(i, DocumentInput)], [i for i in items if isinstance(i, IngestIssue)]


def test_google_api_response_gives_one_document_per_review(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps({"claims": [GOOGLE_CLAIM, SECOND_CLAIM], "nextPageToken": "CAo"}), encoding="utf-8")
    docs, issues = documents_and_issues(read_claim_review_file(path))
    assert not issues
    first, second, third = docs
    assert [d.publisher for d in docs] == ["Example Fact Check", "tahaqaq.example.net", "Another Checker"]
    assert [d.rating for d in docs] == ["Unproven", "مضلل", "True"]
    assert [d.language for d in docs] == ["en", "ar", "en"]
    assert first.claim_reviewed == second.claim_reviewed == GOOGLE_CLAIM["text"]
    assert first.url == GOOGLE_CLAIM["claimReview"][0]["url"] and second.url == GOOGLE_CLAIM["claimReview"][1]["url"]
    assert (first.title, second.title) == ("Did Cham Wings fly mercenaries to Benghazi?", "أجنحة الشام ونقل المرتزقة")
    assert first.published_at.isoformat().startswith("2020-03-10")
    assert second.published_at.isoformat().startswith("2020-03-12")
    assert first.text == (
        "Fact-check by Example Fact Check. Claim: Cham Wings flights brought mercenaries from Syria to Benghazi "
        "Made by: Mohamed Gununu. Rating: Unproven."
    )
    assert third.title == f"Fact-check: {SECOND_CLAIM['text']}" and third.published_at is None
    assert len({d.external_id for d in docs}) == 3
    # the same review as JSON-LD and as an API result is one document
    assert first.external_id == review_id(REVIEW["url"])


def test_a_single_claim_or_a_list_of_claims(tmp_path):
    single, listed = tmp_path / "claim.json", tmp_path / "claims.json"
    single.write_text(json.dumps(GOOGLE_CLAIM), encoding="utf-8")
    listed.write_text(json.dumps([GOOGLE_CLAIM, SECOND_CLAIM]), encoding="utf-8")
    assert [d.rating for d in read_claim_review_file(single)] == ["Unproven", "مضلل"]
    assert [d.rating for d in read_claim_review_file(listed)] == ["Unproven", "مضلل", "True"]


def test_bad_google_reviews_give_one_issue_each(tmp_path):
    bad_review = {**GOOGLE_CLAIM, "claimReview": [GOOGLE_CLAIM["claimReview"][0], {"url": "https://x.example/r"}]}
    path = tmp_path / "claims.json"
    claims = [bad_review, {"claimReview": []}, {"text": "x", "claimReview": "no"}]
    path.write_text(json.dumps({"claims": claims}), encoding="utf-8")
    docs, issues = documents_and_issues(read_claim_review_file(path))
    assert [d.rating for d in docs] == ["Unproven"]
    assert [(i.source.rsplit("#", 1)[1], i.message) for i in issues] == [
        ("claim1", "review 2: review without textualRating"),
        ("claim2", "fact-check without a claim (text)"),
        ("claim3", "fact-check without reviews (claimReview)"),
    ]


# ---------------------------------------------------------------- flattened records, one per JSONL line

FLAT = {
    "id": "cr-test-1",
    "lang": "ar",
    "claimReviewed": "صورة تظهر طائرة أجنحة الشام في مطار بنغازي تحمل مقاتلين",
    "claimant": "صفحات على فيسبوك",
    "claimDate": "2024-05-01T00:00:00Z",
    "reviews": [
        {
            "publisher": "منصة تحقق",
            "site": "tahaqaq.example.net",
            "url": "https://tahaqaq.example.net/ar/benghazi-plane",
            "title": "الصورة قديمة ولا علاقة لها بمطار بنغازي",
            "reviewDate": "2024-05-03T00:00:00Z",
            "textualRating": "مضلل",
            "languageCode": "ar",
        },
        {
            "publisher": None,
            "site": "factcheck.example.org",
            "url": "https://factcheck.example.org/benghazi-plane-photo",
            "title": "Old photo, not Benghazi",
            "reviewDate": None,
            "textualRating": "Misleading",
            "languageCode": "en",
        },
    ],
    "dataset": "test",
}


def write_lines(path, records):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n")


def test_jsonl_reads_each_record_by_its_keys(tmp_path):
    evidence = {"id": "ev-1", "text": "The airline resumed flights to Benghazi in 2019.", "lang": "en"}
    no_reviews = {"id": "cr-test-2", "claimReviewed": "x", "reviews": []}
    bad_review = {**FLAT, "reviews": [{**FLAT["reviews"][0], "reviewDate": "not a date"}, FLAT["reviews"][1]]}
    path = tmp_path / "mixed.jsonl"
    write_lines(path, [FLAT, evidence, GOOGLE_CLAIM, "{oops", no_reviews, {"id": "ev-2"}, bad_review])
    docs, issues = documents_and_issues(read_jsonl(path, read_record=record_documents))
    assert [(d.publisher, d.rating, d.language) for d in docs[:2]] == [
        ("منصة تحقق", "مضلل", "ar"),
        ("factcheck.example.org", "Misleading", "en"),
    ]
    assert docs[0].claim_reviewed == docs[1].claim_reviewed == FLAT["claimReviewed"]
    assert docs[0].title == "الصورة قديمة ولا علاقة لها بمطار بنغازي" and docs[1].published_at is None
    assert (
        docs[0].text.startswith("Fact-check by منصة تحقق. Claim: صورة") and "Made by: صفحات على فيسبوك." in docs[0].text
    )
    assert docs[2].external_id == "ev-1" and docs[2].rating is None  # an evidence record, as before
    assert [d.rating for d in docs[3:]] == ["Unproven", "مضلل", "Misleading"]
    assert [(i.line, i.message.split(" (")[0]) for i in issues] == [
        (4, "invalid JSON"),
        (5, "fact-check without reviews"),
        (6, "missing or empty 'text'"),
        (7, "review 1: unparsable date 'not a date'"),
    ]


def test_ordinary_evidence_jsonl_is_read_as_before(tmp_path):
    path = tmp_path / "evidence.jsonl"
    records = [
        {"id": "a", "text": "First.", "date": "2020-01-01", "source": "AFP"},
        {"text": "Second, with reviews mentioned.", "reviews": "3 reviews", "claim_reviewed": "c", "rating": "False"},
        {"id": "c"},
    ]
    write_lines(path, records)
    assert list(read_jsonl(path, read_record=record_documents)) == list(read_jsonl(path))


def test_the_public_arabic_claimreview_file_loads_whole(settings):
    path = shared_file("claimreview_ar_public.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs, issues = documents_and_issues(read_jsonl(path, read_record=record_documents))
    assert len(records) == 764 and not issues
    assert len(docs) == sum(len(record["reviews"]) for record in records)
    assert all(d.claim_reviewed and d.rating and d.external_id and d.url for d in docs)
    # two review URLs each rate two phrasings of one claim: they share a document id, so the store keeps one
    loaded = load_sources([str(path)], settings)
    urls = {normalise_review_url(review["url"]) for record in records for review in record["reviews"]}
    assert not loaded.issues and len({d.external_id for d in loaded.documents}) == len(urls) < len(docs)


# ---------------------------------------------------------------- one document per review URL


def test_review_urls_are_normalised():
    same = [
        "https://tahaqaq.example.net/ar/benghazi-plane",
        "HTTPS://Tahaqaq.Example.NET/ar/benghazi-plane/",
        "https://tahaqaq.example.net:443/ar/benghazi-plane#rating",
        " https://tahaqaq.example.net/ar/benghazi-plane ",
    ]
    assert {review_id(url) for url in same} == {review_id(same[0])}
    assert review_id("https://misbar.example/صورة/") == review_id("https://misbar.example/%d8%b5%d9%88%d8%b1%d8%a9")
    assert review_id("https://tahaqaq.example.net/ar/benghazi-plane?id=2") != review_id(same[0])
    assert review_id("http://tahaqaq.example.net/AR/benghazi-plane") != review_id(same[0])  # path case kept
    assert review_id("not a url") is None and review_id("") is None


@pytest.fixture
def store(tmp_path, settings, hash_embedder):
    with EvidenceStore.open(tmp_path / "store", settings, hash_embedder) as opened:
        yield opened


def test_re_ingesting_a_review_replaces_it(tmp_path, settings, store):
    jsonld = tmp_path / "review.jsonld"
    jsonld.write_text(json.dumps(REVIEW), encoding="utf-8")
    first = store.add(load_sources([str(jsonld)], settings).documents)
    (doc_id,) = first.added

    # the same review from the Fact Check Tools API, its URL written another way, the rating since edited
    edited = {**GOOGLE_CLAIM["claimReview"][0], "url": "https://FactCheck.Example.org/cham-wings-mercenaries/"}
    api = tmp_path / "api.json"
    api.write_text(json.dumps({"claims": [{**GOOGLE_CLAIM, "claimReview": [edited]}]}), encoding="utf-8")
    loaded = load_sources([str(api)], settings)
    report = store.add(loaded.documents)
    assert report.replaced == (doc_id,) and report.added == ()
    assert [(d.doc_id, d.rating) for d in store.documents()] == [(doc_id, "Unproven")]
    assert store.add(loaded.documents).duplicates == (doc_id,)

    edited["textualRating"] = "False"
    api.write_text(json.dumps([{**GOOGLE_CLAIM, "claimReview": [edited]}]), encoding="utf-8")
    assert store.add(load_sources([str(api)], settings).documents).replaced == (doc_id,)
    assert [(d.doc_id, d.rating) for d in store.documents()] == [(doc_id, "False")]
    assert store.stats().documents == 1


def test_a_review_read_twice_in_one_load_is_one_document(tmp_path, settings, store):
    again = {**FLAT, "reviews": [{**FLAT["reviews"][0], "url": "https://TAHAQAQ.example.net/ar/benghazi-plane/"}]}
    older, newer = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_lines(older, [FLAT, again])
    edited = {**FLAT["reviews"][0], "textualRating": "زائف"}
    write_lines(newer, [{**FLAT, "reviews": [edited]}])
    loaded = load_sources([str(older), str(newer)], settings)
    assert len({d.external_id for d in loaded.documents}) == 2 < len(loaded.documents)
    report = store.add(loaded.documents)  # the last version of a review id wins
    assert len(report.added) == 2 and store.stats().documents == 2
    ratings = {d.url: d.rating for d in store.documents()}
    assert ratings[edited["url"]] == "زائف" and ratings[FLAT["reviews"][1]["url"]] == "Misleading"


def test_reviews_without_a_url_are_stored_as_before(tmp_path, settings, store):
    review = {key: value for key, value in FLAT["reviews"][1].items() if key != "url"}
    path = tmp_path / "no-url.jsonl"
    write_lines(path, [{**FLAT, "reviews": [review]}, {**FLAT, "reviews": [review]}])
    loaded = load_sources([str(path)], settings)
    assert [d.external_id for d in loaded.documents] == [None, None]
    report = store.add(loaded.documents)
    assert len(report.added) == 1 and len(report.duplicates) == 1  # the same content, as before


# ------------------------------------------------------------------ hostile pages and numbers (issue 22)

LONG_NUMBER = "7" * 5000  # over Python's 4,300-digit int conversion limit


def _review(number: int, **fields: object) -> dict:
    return {**REVIEW, "url": f"https://factcheck.example.org/review-{number}", **fields}


def test_a_page_of_unclosed_json_ld_scripts_is_read_in_one_pass():
    # 20,000 unclosed tags: the old regex rescanned the rest of the page from each one (about 10 minutes).
    tag = "<script type='application/ld+json'>{"
    page = "<html><head><script type='application/ld+json'>" + json.dumps(REVIEW) + "</script>" + tag * 20_000
    (doc,) = claim_reviews_in_html(page, "https://factcheck.example.org/page")
    assert doc.rating == "Unproven"


def test_json_ld_scripts_are_found_by_the_html_parser_whatever_their_spelling():
    blocks = [
        '<SCRIPT TYPE="Application/LD+JSON">' + json.dumps(_review(1)) + "</SCRIPT>",
        "<script id=x type = 'application/ld+json' >" + json.dumps(_review(2)) + "</script>",
        "<script type='text/javascript'>" + json.dumps(_review(3)) + "</script>",
        "<!-- <script type='application/ld+json'>" + json.dumps(_review(4)) + "</script> -->",
    ]
    documents = claim_reviews_in_html("<html><head>" + "".join(blocks) + "</head><body>x</body></html>")
    assert [doc.url for doc in documents] == [_review(1)["url"], _review(2)["url"]]


def test_a_review_with_a_5000_digit_number_is_skipped_and_the_rest_read(tmp_path):
    reviews = [
        _review(1),
        _review(2, claimReviewed=int(LONG_NUMBER[:100])),  # an ordinary number is still text
        {**_review(3), "claimReviewed": "LONG"},
        {**_review(4), "reviewRating": {**REVIEW["reviewRating"], "ratingValue": "LONG"}},
    ]
    text = json.dumps(reviews).replace('"LONG"', LONG_NUMBER)
    path = tmp_path / "reviews.json"
    path.write_text(text, encoding="utf-8")
    items = list(read_claim_review_file(path))
    issues = [item for item in items if isinstance(item, IngestIssue)]
    assert [issue.source for issue in issues] == [f"{path}#review3"]
    assert issues[0].message == "ClaimReview field 'claimReviewed' is a number of 5,000 digits"
    assert [item.url for item in items if isinstance(item, DocumentInput)] == [
        _review(number)["url"] for number in (1, 2, 4)
    ]


def test_a_page_with_a_5000_digit_number_keeps_its_other_reviews():
    bad = json.dumps({**_review(2), "datePublished": "LONG"}).replace('"LONG"', LONG_NUMBER)
    page = (
        f"<script type='application/ld+json'>{json.dumps(_review(1))}</script>"
        f"<script type='application/ld+json'>{bad}</script>"
    )
    assert [doc.url for doc in claim_reviews_in_html(page)] == [_review(1)["url"]]


def test_a_jsonl_line_with_a_5000_digit_number_is_one_issue(tmp_path, settings):
    lines = [json.dumps(_review(1)), json.dumps({**_review(2), "claimReviewed": "LONG"}), json.dumps(_review(3))]
    path = tmp_path / "reviews.jsonl"
    path.write_text("\n".join(lines).replace('"LONG"', LONG_NUMBER), encoding="utf-8")
    loaded = load_sources([str(path)], settings)
    assert [doc.url for doc in loaded.documents] == [_review(1)["url"], _review(3)["url"]]
    assert [(issue.source, issue.line) for issue in loaded.issues] == [(str(path), 2)]
