"""Quotes and SQL injection strings as run, article and claim ids and as filters are plain values."""

import duckdb
import pytest

from tests.support.injection import HOSTILE
from verify.reports import ReportFilter, ReportsError


def table_counts(db_path) -> dict[str, int]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            table: con.execute(sql).fetchall()[0][0]
            for table, sql in (
                ("runs", "SELECT count(*) FROM runs"),
                ("claims", "SELECT count(*) FROM claims"),
                ("verdicts", "SELECT count(*) FROM verdicts"),
                ("reviews", "SELECT count(*) FROM reviews"),
            )
        }


def test_hostile_ids_and_filters_are_refused_or_match_nothing(store, scored, db_path):
    before = table_counts(db_path)
    for value in HOSTILE:
        calls = (
            (store.run, (value,)),
            (store.report, (ReportFilter(run_id=value),)),
            (store.report, (ReportFilter(article_id=value),)),
            (store.finish_run, (value, "failed", value)),
            (store.add_review, (value, "supported", value, value)),
        )
        for call, arguments in calls:
            with pytest.raises(ReportsError, match=r"no (run|article|claim)"):
                call(*arguments)
        assert store.changes(run_id=value) == []
        assert store.claims_for_reverification(article_id=value) == []
    assert table_counts(db_path) == before
    assert len(store.report()) == 3


def test_hostile_run_ids_and_parameters_are_kept_verbatim(store):
    for value in HOSTILE:
        run_id = store.start_run("verify-article", {"url": value, value: [value]}, run_id=value)
        store.finish_run(run_id, "failed", error=value)
        run = store.run(value)
        assert (run.run_id, run.error, run.parameters) == (value, value, {"url": value, value: [value]})
