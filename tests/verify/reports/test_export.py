"""CSV, JSON and Parquet report exports keep every claim, verdict, review and citation."""

import csv
import io
import json

import duckdb

from tests.support.report_factories import make_prior_verdict, make_verdict
from verify.reports.export import CSV_COLUMNS, to_json, write_csv, write_csv_file, write_parquet


def test_csv_has_one_flat_row_per_claim(store, scored):
    claims, run_id = scored
    out = io.StringIO()
    write_csv(store.report(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))

    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [row["claim"] for row in rows] == [claim.text for claim in claims]
    assert [row["label"] for row in rows] == ["supported", "disputed", "unverified"]
    assert [row["final_label"] for row in rows] == ["supported", "supported", "unverified"]
    assert [row["review_reasons"] for row in rows] == ["", "", "low confidence"]
    assert (rows[1]["review_rating"], rows[1]["review_label"]) == ("mostly-true", "supported")
    assert rows[1]["reviewer"] == "Rania" and rows[1]["speaker"] == "the Foreign Minister"
    assert rows[0]["top_publisher"] == "Reuters" and rows[0]["top_published_at"].startswith("2016-12-02")
    assert {row["run_id"] for row in rows} == {run_id}


def test_json_nests_every_citation_with_provenance(store, scored):
    records = json.loads(to_json(store.report()))
    assert [len(record["evidence"]) for record in records] == [2, 2, 0]
    cited = records[0]["evidence"][1]
    assert (cited["rank"], cited["passage_id"], cited["publisher"], cited["url"]) == (
        2,
        2,
        "Al Jazeera",
        "https://evidence.example.com/doc/2",
    )
    assert cited["published_at"].startswith("2016-12-03") and cited["supports"] == 0.8


def test_parquet_snapshot_is_queryable_without_the_database(store, scored, tmp_path):
    path = tmp_path / "snap" / "report.parquet"
    write_parquet(store.report(), path)
    write_parquet([], tmp_path / "empty.parquet")  # an empty report still has its columns

    with duckdb.connect() as con:
        summary = con.execute(
            "SELECT count(*), sum(len(evidence)), count(review_label) FROM read_parquet(?)", [str(path)]
        ).fetchall()
        cited = con.execute(
            "SELECT claim_id, e.publisher, e.url FROM (SELECT claim_id, unnest(evidence) AS e FROM read_parquet(?)) "
            "ORDER BY claim_id, e.rank",
            [str(path)],
        ).fetchall()
        empty = con.execute("SELECT count(*) FROM read_parquet(?)", [str(tmp_path / "empty.parquet")]).fetchall()
    assert summary == [(3, 4, 1)]
    assert cited[0] == ("article-1:c0", "Reuters", "https://evidence.example.com/doc/1")
    assert empty == [(0,)]


def test_exports_mark_the_prior_fact_check_a_verdict_follows(store, recorded, tmp_path):
    _, claims, run_id = recorded
    store.record_verdicts(
        run_id,
        [(claims[0], make_prior_verdict(claims[0], (2,))), (claims[1], make_verdict(claims[1], "supported"))],
        embedding_model="e5",
        store_generation=1,
    )
    rows = store.report()
    records = json.loads(to_json(rows))
    assert [record["prior_fact_check"] for record in records] == [True, False, None]  # None: never scored
    assert [(e["prior_fact_check"], e["rating"]) for e in records[0]["evidence"]] == [(True, "زائف"), (False, None)]
    out = io.StringIO()
    write_csv(rows, out)
    flat = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["prior_fact_check"] for row in flat] == ["True", "False", ""]
    assert flat[0]["top_publisher"] == "مسبار"
    path = tmp_path / "prior.parquet"
    write_parquet(rows, path)
    with duckdb.connect() as con:
        checked = con.execute(
            "SELECT claim_id, [e.rating FOR e IN evidence IF e.prior_fact_check] FROM read_parquet(?) "
            "WHERE prior_fact_check",
            [str(path)],
        ).fetchall()
    assert checked == [(claims[0].claim_id, ["زائف"])]


def test_a_csv_file_starts_with_a_utf8_bom_and_reads_back(store, scored, tmp_path):
    # spreadsheet programs read a UTF-8 CSV without a byte-order mark as a legacy code page: Arabic comes out garbled
    claims, _ = scored
    path = tmp_path / "out" / "report.csv"
    write_csv_file(store.report(), path)

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [row["claim"] for row in rows] == [claim.text for claim in claims]  # the Arabic claim intact
    with duckdb.connect() as con:
        read = con.execute("SELECT claim_id, claim FROM read_csv(?, header = true)", [str(path)]).fetchall()
    assert read == [(claim.claim_id, claim.text) for claim in claims]
