import json

from evidence_store.ingest.claimreview import claim_reviews_in_html, read_claim_review_file
from evidence_store.ingest.records import IngestIssue
from evidence_store.types import DocumentInput

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
