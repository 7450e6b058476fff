"""ClaimReview JSON-LD: only reviewed claims unless asked, machine verdicts marked automated, the newsroom's name."""

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_store.errors import InvalidInput
from tests.support.claimreview_schema import validate_claim_reviews
from tests.support.hostile import text
from tests.support.report_factories import make_article, make_claims
from verify.reports.claimreview import AUTOMATED, claim_reviews, publisher, speaker_type
from verify.reports.ratings import BEST_RATING, PLAIN_RATING, RATINGS, SCALE, WORST_RATING, rating_named
from verify.settings import Settings

NEWSROOM = {"organisation_name": "Misbar", "organisation_url": "https://misbar.example/"}


@pytest.fixture(autouse=True)
def no_newsroom_in_the_environment(monkeypatch):
    for name in ("NAME", "URL", "LOGO_URL"):
        monkeypatch.delenv(f"SANAD_ORGANISATION_{name}", raising=False)
    monkeypatch.delenv("SANAD_CLAIMREVIEW_URL_TEMPLATE", raising=False)


def misbar(template: str = "{organisation_url}/checks/{claim_id}", **overrides):
    return publisher(Settings(**{**NEWSROOM, "claimreview_url_template": template, **overrides}))


def reviews(rows, include_machine_verdicts: bool = False, **publisher_settings):
    return claim_reviews(rows, misbar(**publisher_settings), include_machine_verdicts=include_machine_verdicts)


def test_only_reviewed_claims_are_published_by_default(store, scored):
    claims, _ = scored
    (document,) = reviews(store.report())  # one of three verified claims has a reviewer's decision
    validate_claim_reviews([document])
    assert document["claimReviewed"] == claims[1].check_text  # the attributed content is what was claimed
    assert document["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Mostly true",  # the reviewer's rating of an English claim; the machine said disputed
        "ratingValue": 3,
        "worstRating": 1,
        "bestRating": 4,
        "ratingExplanation": "The ministry's own statement confirms it.",
    }
    assert "reviewBody" not in document and AUTOMATED not in str(document)
    assert document["itemReviewed"]["author"] == {"@type": "Person", "name": "the Foreign Minister"}
    assert document["author"] == {"@type": "Organization", "name": "Misbar", "url": "https://misbar.example/"}


def test_machine_verdicts_only_when_asked_and_each_says_it_is_automated(store, scored):
    claims, _ = scored
    documents = reviews(store.report(), include_machine_verdicts=True)
    validate_claim_reviews(documents)

    by_claim = {doc["claimReviewed"]: doc for doc in documents}
    assert len(by_claim) == 3
    machine = by_claim[claims[0].text]
    assert machine["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Supported",
        "ratingExplanation": f"{AUTOMATED}: supported by 2 passage(s)",
    }
    assert machine["reviewBody"].startswith(AUTOMATED) and "supported with 90% confidence" in machine["reviewBody"]
    assert by_claim[claims[2].text]["reviewRating"]["ratingExplanation"].startswith(AUTOMATED)
    assert "reviewBody" not in by_claim[claims[1].check_text]  # the reviewed one stays the reviewer's
    assert machine["url"] == "https://misbar.example/checks/article-1%3Ac0"
    assert machine["itemReviewed"]["appearance"]["url"] == "https://example.org/news/article-1"
    assert machine["itemReviewed"]["appearance"]["publisher"] == {"@type": "Organization", "name": "Arabi21"}
    assert machine["itemReviewed"]["author"] == {"@type": "Organization", "name": "Arabi21"}  # no speaker
    assert machine["inLanguage"] == "ar"


def test_unscored_unreviewed_claims_and_articles_without_an_address(store, recorded):
    assert reviews(store.report(), include_machine_verdicts=True) == []  # nothing verified or reviewed yet
    article = make_article("pasted").model_copy(update={"url": None, "publisher": None})
    store.record_article(article)
    pasted = make_claims(article)[0]
    store.record_claims([pasted])
    store.add_review(pasted.claim_id, "disputed", "No such visit happened.", "Rania")

    (document,) = reviews(store.report())
    validate_claim_reviews([document])
    assert "appearance" not in document["itemReviewed"] and "author" not in document["itemReviewed"]


def test_the_newsroom_logo_is_the_authors(store, scored):
    (document,) = reviews(store.report(), organisation_logo_url=" https://misbar.example/logo.png ")
    validate_claim_reviews([document])
    assert document["author"]["logo"] == {"@type": "ImageObject", "url": "https://misbar.example/logo.png"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"organisation_name": None, "organisation_url": None},
            "set SANAD_ORGANISATION_NAME and SANAD_ORGANISATION_URL",
        ),
        ({"organisation_name": "  "}, "set SANAD_ORGANISATION_NAME to the newsroom"),
        ({"organisation_url": None}, "set SANAD_ORGANISATION_URL to the newsroom"),
        ({"organisation_url": "javascript:alert(1)"}, "SANAD_ORGANISATION_URL 'javascript:alert(1)' is not an http(s)"),
        ({"organisation_url": "https://misbar.example/\u202eevil"}, "is not an http(s) address"),
        ({"organisation_logo_url": "logo.png"}, "SANAD_ORGANISATION_LOGO_URL 'logo.png' is not an http(s) address"),
    ],
)
def test_no_newsroom_no_export(overrides, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        publisher(Settings(**{**NEWSROOM, **overrides}))


def test_the_newsroom_is_never_sanad_by_default():
    with pytest.raises(InvalidInput, match="SANAD_ORGANISATION_NAME"):
        publisher(Settings())


@pytest.mark.parametrize(
    "template",
    [
        "{organisation_url}/{claim}",
        "{organisation_url.x}/{claim_id}",  # was an AttributeError traceback
        "{organisation_url}/{claim_id:>1000000}",  # was a megabyte of spaces in every review's address
        "{organisation_url}/{claim_id!r}",
        "{organisation_url}/{0}",
        "{organisation_url}/{claim_id",
    ],
)
def test_a_bad_url_template_is_a_clear_error(template):
    with pytest.raises(InvalidInput, match="may use only"):
        misbar(template)


def test_a_template_that_makes_no_address_is_a_clear_error(store, scored):
    with pytest.raises(InvalidInput, match="makes 'checks/article-1%3Ac1', not an http"):
        reviews(store.report(), template="checks/{claim_id}")


newsroom_text = st.one_of(text, text.map(lambda tail: f"https://misbar.example/{tail}"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=text, url=newsroom_text, logo=st.one_of(st.none(), newsroom_text), template=newsroom_text)
def test_any_newsroom_settings_give_valid_documents_or_one_clear_error(store, scored, name, url, logo, template):
    rows = store.report()
    try:
        by = publisher(
            Settings(
                organisation_name=name,
                organisation_url=url,
                organisation_logo_url=logo,
                claimreview_url_template=template,
            )
        )
        documents = claim_reviews(rows, by, include_machine_verdicts=True)
    except InvalidInput as error:
        assert "SANAD_" in str(error) and len(str(error)) < 1_000
    else:
        validate_claim_reviews(documents)
        assert {doc["author"]["name"] for doc in documents} == {name.strip()}


def test_the_validator_rejects_broken_documents(store, scored):
    (document, *_) = reviews(store.report(), include_machine_verdicts=True)
    for broken in (
        {**document, "@type": "Review"},
        {key: value for key, value in document.items() if key != "reviewRating"},
        {**document, "reviewRating": {**document["reviewRating"], "alternateName": "maybe"}},
        {**document, "itemReviewed": {**document["itemReviewed"], "@type": "Article"}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_claim_reviews([broken])


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


@pytest.mark.parametrize("rating", RATINGS)
def test_every_rating_of_the_scale_publishes_in_the_claims_language(store, scored, rating):
    claims, _ = scored  # claim 0 is Arabic, claim 1 English
    for claim in claims[:2]:
        store.add_review(claim.claim_id, rating, "Checked against the ministry's record.", "Rania")
    documents = reviews(store.report())
    validate_claim_reviews(documents)
    arabic, english = (doc["reviewRating"] for doc in documents)
    assert (arabic["alternateName"], english["alternateName"]) == (SCALE[rating].arabic, SCALE[rating].name)
    if SCALE[rating].value is None:  # unproven and opinion are not points on the truth scale
        assert not {"ratingValue", "worstRating", "bestRating"} & set(english)
    else:
        assert (english["worstRating"], english["ratingValue"], english["bestRating"]) == (1, SCALE[rating].value, 4)
    assert [row.review.label for row in store.report()[:2]] == [SCALE[rating].label] * 2


def test_the_scale_orders_truth_and_falls_under_every_machine_label():
    values = [SCALE[rating].value for rating in ("false", "misleading", "mostly-true", "true")]
    assert values == sorted(values) and values[0] == WORST_RATING and values[-1] == BEST_RATING
    assert {rating.label for rating in SCALE.values()} == {"supported", "disputed", "unverified"}
    assert len({rating.arabic for rating in SCALE.values()}) == len({rating.name for rating in SCALE.values()}) == 6
    for label, rating in PLAIN_RATING.items():
        assert SCALE[rating].label == label and rating_named(label) == rating == rating_named(rating)
    assert rating_named(" Mostly true ") == "mostly-true" and rating_named("opinion") == "not-checkable"
    assert rating_named("half-true") is None and rating_named("") is None
