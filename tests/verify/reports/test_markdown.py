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
from verify.reports.markdown import FSI, PDI, verdicts_markdown, verdicts_table


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
    assert refuting.startswith(f"- [{FSI}Ronahi TV{PDI}, 2016-12-08](https://evidence.example.com/doc/7): refutes (")
    assert "supports 0.01, refutes 0.39" in refuting
    assert supporting.startswith(f"- [{FSI}Reuters{PDI}, 2016-12-09](https://evidence.example.com/doc/8): supports (")
    assert "## 1. DISPUTED · confidence 80%" in page and f"*{FSI}disputed by 2 passage(s){PDI}*" in page


def test_a_previously_fact_checked_claim_names_its_fact_check_first():
    article = make_article()
    claims = make_claims(article)
    scored = [(claims[0], make_prior_verdict(claims[0], (2,))), (claims[1], make_verdict(claims[1], "supported"))]
    page = verdicts_markdown(article, scored, run_id="run-1")

    first = page.split("## 1. ", 1)[1].split("## 2. ", 1)[0]
    heading, _, prior, _, quote = first.splitlines()[:5]
    assert heading == "DISPUTED · confidence 93% · previously fact-checked"
    assert prior == (
        f"**Previously fact-checked** by [{FSI}مسبار{PDI} on 2024-05-01]({FACT_CHECK_URL}): rated «{FSI}زائف{PDI}» "
        f"(false) — claim reviewed: “{FSI}وصل وفد عسكري من قوات حفتر إلى دمشق{PDI}”"
    )
    assert quote == f"> {FSI}{claims[0].text}{PDI}"
    fact_check, read = (line for line in first.splitlines() if line.startswith("- ["))
    assert f"prior fact-check of this claim, rated «{FSI}زائف{PDI}» (false) (claim match 0.91)" in fact_check
    assert "supports" not in fact_check and ": refutes (supports 0.20, refutes 0.30" in read
    assert "Previously fact-checked" not in page.split("## 2. ", 1)[1]
    assert "· 1 previously fact-checked" in page

    table = verdicts_table(scored)
    assert [row["prior fact-check"] for row in table] == [
        f"{FSI}مسبار{PDI} on 2024-05-01: rated «{FSI}زائف{PDI}» (false)",
        "",
    ]
    assert list(table[0])[:5] == ["verdict", "confidence", "claim", "speaker", "prior fact-check"]
    assert [row["verdict"] for row in table] == ["DISPUTED", "SUPPORTED"]


def _isolated_everywhere(page: str, inserted: str) -> bool:
    """Whether ``inserted`` is in ``page`` and each of its occurrences is wrapped in FSI … PDI."""
    return page.count(inserted) >= 1 and page.count(inserted) == page.count(f"{FSI}{inserted}{PDI}")


def test_every_string_from_the_article_evidence_or_fact_check_is_isolated():
    # mixed Arabic and English: without isolates "Why:", "said by", a publisher and its date reorder each other
    strings = {
        "title": "وفد حفتر in Damascus 2020",
        "publisher": "عربي 21 Arabi21",
        "claim": "قال الوزير إن 3 طائرات وصلت",
        "speaker": "وزير الخارجية Foreign Minister",
        "justification": "Supported by رويترز (2016-12-02)",
        "evidence publisher": "بي بي سي BBC",
        "evidence text": "وصلت 3 رحلات Cham Wings",
        "rating": "مضلل misleading",
    }
    article = make_article().model_copy(update={"title": strings["title"], "publisher": strings["publisher"]})
    claim = make_claims(article)[1].model_copy(update={"text": strings["claim"], "speaker": strings["speaker"]})
    passage = make_passage(1, publisher=strings["evidence publisher"], text=strings["evidence text"])
    verdict = make_verdict(claim, "supported").model_copy(
        update={
            "citations": (make_citation(passage.model_copy(update={"rating": strings["rating"]})),),
            "justification": strings["justification"],
        }
    )
    page = verdicts_markdown(article, [(claim, verdict)], run_id="run-1")
    table = " ".join(verdicts_table([(claim, verdict)])[0].values())

    assert {name for name, value in strings.items() if not _isolated_everywhere(page, value)} == set()
    assert _isolated_everywhere(table, strings["claim"]) and _isolated_everywhere(table, strings["speaker"])
    assert _isolated_everywhere(table, strings["evidence publisher"])


def test_labels_are_words_not_emoji_and_an_untitled_article_is_named_by_its_first_words():
    article = make_article().model_copy(update={"title": None, "url": None})
    claims = make_claims(article)
    page = verdicts_markdown(article, [(claims[0], make_verdict(claims[0], "supported"))], run_id="run-1")
    first_words = " ".join(article.text.split()[:8])
    assert page.startswith(f"# {FSI}{first_words}…{PDI}")
    assert not any(ord(char) >= 0x1F000 or 0x2600 <= ord(char) < 0x2800 for char in page)  # no emoji or dingbats
    assert "**1 claims:** SUPPORTED 1, DISPUTED 0, UNVERIFIED 0" in page
