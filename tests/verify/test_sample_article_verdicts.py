"""The sample article against the demo corpus, claim by claim, as a person read it (issue 20, item 5).

Each test is one case the person found. The cases the shipped stance model still gets wrong are marked
``xfail(strict=True)``: they document the gap, and the day a change fixes one, its test passes and the strict
marker turns that into a failure, so the marker must come off with the fix.
"""

from datetime import UTC, datetime

import pytest

from evidence_store.demo import DEMO_CORPUS
from evidence_store.ingest.sources import load_jsonl_corpus
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from tests.support.claims import standalone_claim
from tests.support.shared import SAMPLE_ARTICLE
from verify import pipeline
from verify.types import Claim, Verdict

pytestmark = pytest.mark.slow

DENIALS = {"demo-026", "demo-027"}  # Cham Wings denies carrying fighters
OBITUARY = "demo-045"  # Walid al-Muallem died in November 2020


@pytest.fixture(scope="module")
def store(settings, e5, tmp_path_factory):
    documents, issues = load_jsonl_corpus(DEMO_CORPUS)
    assert not issues
    with EvidenceStore.open(tmp_path_factory.mktemp("demo") / "evidence", settings) as opened:
        opened.add(documents)
        yield opened


@pytest.fixture(scope="module")
def verdicts(store, settings) -> list[tuple[Claim, Verdict]]:
    if not SAMPLE_ARTICLE.exists():
        pytest.skip(f"sample article {SAMPLE_ARTICLE} is not available on this machine")
    article = pipeline.read_article(pipeline.ArticleSource(text=SAMPLE_ARTICLE.read_text(encoding="utf-8")), settings)
    claims = pipeline.find_claims(article, settings, settings.claims_max_per_article)
    hits = pipeline.retrieve_evidence(claims, store, settings.verdict_top_k)
    return pipeline.pair_verdicts(claims, pipeline.score_claims(claims, hits, settings))


def verdict_of(verdicts: list[tuple[Claim, Verdict]], words: str) -> Verdict:
    (found,) = [verdict for claim, verdict in verdicts if words in claim.text]
    return found


def cited(verdict: Verdict, side: str) -> set[str]:
    return {c.passage.doc_id for c in verdict.citations if c.cited_as == side}


def test_every_claim_of_the_sample_gets_a_verdict(verdicts):
    assert len(verdicts) >= 12
    assert all(verdict.claim_id == claim.claim_id for claim, verdict in verdicts)


def test_an_analysts_opinion_is_not_decided_by_passages_that_do_not_address_it(verdicts):
    # بويصير: the visit was symbolic and the heavy intervention is Russian. The reopened embassy and Putin's
    # denial of Russian fighters (demo-013, demo-030) do not address it, and nothing in the corpus does.
    assert verdict_of(verdicts, "بويصير").label == "unverified"


def test_the_purpose_of_the_visit_is_not_supported_by_a_later_statement_about_a_flight(verdicts):
    # التويجر: the delegation comes within the cooperation between Haftar and the regime; demo-019 is a
    # December 2020 statement about mercenaries on a Cham Wings plane, which does not address the March visit.
    assert "demo-019" not in cited(verdict_of(verdicts, "هذا الوفد يأتي في إطار التعاون"), "supports")


def test_the_accused_partys_denial_never_supports_the_accusation(verdicts):
    for _claim, verdict in verdicts:
        assert not cited(verdict, "supports") & DENIALS


@pytest.mark.xfail(strict=True, reason="issue 20: an obituary is still cited as support")
def test_an_obituary_supports_no_claim_about_what_the_minister_demanded(verdicts):
    for _claim, verdict in verdicts:
        assert OBITUARY not in cited(verdict, "supports")


@pytest.mark.xfail(strict=True, reason="issue 20: the near-verbatim English report of the arrival is not used")
def test_the_arrival_of_the_delegation_is_supported_by_the_report_of_it(verdicts):
    arrival = verdict_of(verdicts, "ووصل مدير مخابرات")
    assert arrival.label == "supported" and "demo-009" in cited(arrival, "supports")


NEVER_LIFTED = "The US sanctions imposed on Cham Wings Airlines in 2016 have never been lifted."


@pytest.fixture(scope="module")
def designation(store, settings) -> Verdict:
    """The verdict on the 2016 designation once a passage saying the sanctions were never lifted is stored."""
    store.add(
        [
            DocumentInput(
                text=NEVER_LIFTED,
                external_id="never-lifted",
                publisher="Example Wire",
                published_at=datetime(2024, 3, 1, tzinfo=UTC),
                language="en",
            )
        ]
    )
    text = "Cham Wings was designated by the US Treasury in 2016."
    claim = standalone_claim(text, "designated:0-53")
    [verdict] = pipeline.score_claims([claim], pipeline.retrieve_evidence([claim], store, 5), settings)
    return verdict


def test_sanctions_never_lifted_is_not_evidence_against_the_designation(designation):
    assert designation.label == "supported"
    assert NEVER_LIFTED not in {c.passage.text for c in designation.citations if c.cited_as == "refutes"}


@pytest.mark.xfail(strict=True, reason="issue 20: 'not under UN sanctions' (demo-021) is read as refuting it")
def test_nothing_in_the_demo_corpus_contradicts_the_designation(designation):
    # demo-021 says Cham Wings is not under UN sanctions; demo-046 is about another airline's designation.
    assert not cited(designation, "refutes")
