"""The run page's markdown artifact: badges, confidence, justification and cited sources as links."""

from tests.support.report_factories import (
    FACT_CHECK_URL,
    make_article,
    make_citation,
    make_claims,
    make_passage,
    make_prior_verdict,
    make_verdict,
)
from verify.reports.markdown import verdicts_markdown, verdicts_table


def test_each_cited_passage_says_which_side_it_counts_for():
    article = make_article()
    claims = make_claims(article)
    disputed = make_verdict(claims[2], "disputed", passage_ids=(7, 8)).model_copy(
        update={
            "citations": (
                # most probably neutral, but cited for its 0.39 of refutation
                make_citation(make_passage(7, publisher="Ronahi TV"), supports=0.01, refutes=0.39),
                make_citation(make_passage(8, publisher="Reuters"), supports=0.7, refutes=0.1),
            )
        }
    )
    page = verdicts_markdown(article, [(claims[2], disputed)], run_id="run-1")

    refuting, supporting = (line for line in page.splitlines() if line.startswith("- ["))
    assert disputed.citations[0].stance.label == "neutral"
    assert refuting.startswith("- [Ronahi TV, 2016-12-08](https://evidence.example.com/doc/7): refutes (")
    assert "supports 0.01, refutes 0.39" in refuting
    assert supporting.startswith("- [Reuters, 2016-12-09](https://evidence.example.com/doc/8): supports (")
    assert "## 1. 🔴 disputed · confidence 80%" in page and "*disputed by 2 passage(s)*" in page


def test_a_previously_fact_checked_claim_names_its_fact_check_first():
    article = make_article()
    claims = make_claims(article)
    scored = [(claims[0], make_prior_verdict(claims[0], (2,))), (claims[1], make_verdict(claims[1], "supported"))]
    page = verdicts_markdown(article, scored, run_id="run-1")

    first = page.split("## 1. ", 1)[1].split("## 2. ", 1)[0]
    heading, _, prior, _, quote = first.splitlines()[:5]
    assert heading == "🔴 disputed · confidence 93% · 📌 previously fact-checked"
    assert prior == (
        f"**Previously fact-checked** by [مسبار on 2024-05-01]({FACT_CHECK_URL}): rated «زائف» (false) — "
        "claim reviewed: “وصل وفد عسكري من قوات حفتر إلى دمشق”"
    )
    assert quote == f"> {claims[0].text}"
    fact_check, read = (line for line in first.splitlines() if line.startswith("- ["))
    assert "prior fact-check of this claim, rated «زائف» (false) (claim match 0.91)" in fact_check
    assert "supports" not in fact_check and ": refutes (supports 0.20, refutes 0.30" in read
    assert "Previously fact-checked" not in page.split("## 2. ", 1)[1]
    assert "· 1 previously fact-checked" in page

    table = verdicts_table(scored)
    assert [row["prior fact-check"] for row in table] == ["مسبار on 2024-05-01: rated «زائف» (false)", ""]
    assert list(table[0])[:5] == ["claim", "speaker", "verdict", "confidence", "prior fact-check"]
