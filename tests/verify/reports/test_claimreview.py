"""ClaimReview JSON-LD: valid schema.org structure, the reviewer's verdict over the machine's."""

import jsonschema
import pytest

from tests.support.claimreview_schema import validate_claim_reviews
from tests.support.report_factories import make_article, make_claims
from verify.reports.claimreview import claim_reviews, speaker_type

PUBLISHER = {"organisation_name": "Misbar", "organisation_url": "https://misbar.example/", "url_template": ""}


def reviews(rows, template: str = "{organisation_url}/checks/{claim_id}"):
    return claim_reviews(rows, **{**PUBLISHER, "url_template": template})


def test_every_verified_or_reviewed_claim_becomes_a_valid_claim_review(store, scored):
    claims, _ = scored
    documents = reviews(store.report())
    validate_claim_reviews(documents)

    by_claim = {doc["claimReviewed"]: doc for doc in documents}
    assert len(by_claim) == 3
    machine = by_claim[claims[0].text]
    assert machine["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Supported",
        "ratingExplanation": "supported by 2 passage(s)",
    }
    assert machine["url"] == "https://misbar.example/checks/article-1%3Ac0"
    assert machine["author"] == {"@type": "Organization", "name": "Misbar", "url": "https://misbar.example/"}
    assert machine["itemReviewed"]["appearance"]["url"] == "https://example.org/news/article-1"
    assert machine["itemReviewed"]["appearance"]["publisher"] == {"@type": "Organization", "name": "Arabi21"}
    assert machine["itemReviewed"]["author"] == {"@type": "Organization", "name": "Arabi21"}  # no speaker
    assert machine["inLanguage"] == "ar"

    reviewed = by_claim[claims[1].check_text]  # the attributed content is what was claimed
    assert reviewed["reviewRating"]["alternateName"] == "Supported"  # the reviewer overrides "disputed"
    assert reviewed["reviewRating"]["ratingExplanation"] == "The ministry's own statement confirms it."
    assert reviewed["itemReviewed"]["author"] == {"@type": "Person", "name": "the Foreign Minister"}


def test_unscored_unreviewed_claims_and_articles_without_an_address(store, recorded):
    assert reviews(store.report()) == []  # nothing verified or reviewed yet
    article = make_article("pasted").model_copy(update={"url": None, "publisher": None})
    store.record_article(article)
    pasted = make_claims(article)[0]
    store.record_claims([pasted])
    store.add_review(pasted.claim_id, "disputed", "No such visit happened.", "Rania")

    (document,) = reviews(store.report())
    validate_claim_reviews([document])
    assert "appearance" not in document["itemReviewed"] and "author" not in document["itemReviewed"]


def test_the_validator_rejects_broken_documents(store, scored):
    (document, *_) = reviews(store.report())
    for broken in (
        {**document, "@type": "Review"},
        {key: value for key, value in document.items() if key != "reviewRating"},
        {**document, "reviewRating": {**document["reviewRating"], "alternateName": "maybe"}},
        {**document, "itemReviewed": {**document["itemReviewed"], "@type": "Article"}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_claim_reviews([broken])


def test_a_bad_url_template_is_a_clear_error(store, scored):
    with pytest.raises(ValueError, match="may use only"):
        reviews(store.report(), "{organisation_url}/{claim}")


@pytest.mark.parametrize(
    ("speaker", "kind"),
    [
        ("the Foreign Minister", "Person"),
        ("Foreign Ministry spokesman Ahmed", "Person"),
        ("وزير الخارجية", "Person"),
        ("US Department of the Treasury", "Organization"),
        ("وزارة الدفاع", "Organization"),
        ("Khalifa Haftar", "Person"),
    ],
)
def test_speaker_type(speaker, kind):
    assert speaker_type(speaker) == kind
