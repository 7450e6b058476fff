"""The run page's markdown artifact: badges, confidence, justification and cited sources as links."""

from tests.support.report_factories import make_article, make_citation, make_claims, make_passage, make_verdict
from verify.reports.markdown import verdicts_markdown


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
