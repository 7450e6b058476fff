"""The reports database: what flows write (runs, articles, claims, verdicts) and reviewers read.

Every write is one short transaction on a connection opened for it and closed right after,
so concurrent flow runs in several processes and a reviewer take turns on the file: an open
that meets another process's lock is retried with backoff (``DuckFile``). Verdicts are
append-only; reviews sit beside them. All SQL values are bound parameters.
"""

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
import pydantic_core
from pydantic import BaseModel

from evidence_store.duck import DuckFile
from verify.reports import rows
from verify.reports.ratings import RATINGS, SCALE, rating_named
from verify.reports.runs import check_kind, fail_orphaned_runs, new_run_id, orphaned_runs, this_host
from verify.reports.schema import LATEST_VERSION, REVIEW_BELOW, migrate, schema_version
from verify.reports.types import ReportFilter, ReportRow, ReportsError, Review, RunRecord, VerdictChange
from verify.types import Article, Claim, Verdict

_INSERT_EVIDENCE = f"INSERT INTO verdict_evidence VALUES ({', '.join(['?'] * (len(rows.EVIDENCE_COLUMNS) + 2))})"

# Each write opens the file and replays the log, and each checkpoint copies the file (checkpoint_guard).
# Recording 100 runs (2026-12-02): 219 ms a run with DuckDB's own checkpoint on every close; guarded,
# 264 ms on every close, 263 ms at a 64 KiB log, 348 ms at 256 KiB. At 64 KiB the copies stay rare as
# the file grows, and no open replays more than about 15 ms of log.
_CHECKPOINT_WAL_BYTES = 64 << 10
_files: dict[tuple[Path, bool, float], DuckFile] = {}
_files_lock = threading.Lock()


def _shared_file(path: Path, read_only: bool, lock_timeout_s: float | None) -> DuckFile:
    """One DuckFile per file and mode in a process, so its threads take turns instead of conflicting."""
    key = (path.resolve(), read_only, lock_timeout_s)
    with _files_lock:
        if key not in _files:
            _files[key] = DuckFile(
                path,
                idle_release_s=0,
                lock_timeout_s=lock_timeout_s,
                read_only=read_only,
                checkpoint_wal_bytes=_CHECKPOINT_WAL_BYTES,
                checkpoint_on_release=False,
            )
        return _files[key]


def _create(path: Path) -> None:
    """Create the database complete under a temporary name, then link it into place.

    Another process opening a file that DuckDB is still creating fails with "not a valid
    DuckDB database file"; a link appears whole. The first creator wins, the others discard theirs.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.draft")
    try:
        with duckdb.connect(str(draft)) as con:
            con.execute("BEGIN TRANSACTION")
            migrate(con)
            con.execute("COMMIT")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links: a plain rename, unless someone was first
            if not path.exists():
                draft.rename(path)
    finally:
        draft.unlink(missing_ok=True)
        draft.with_name(draft.name + ".wal").unlink(missing_ok=True)


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _now() -> datetime:
    return datetime.now(UTC)


class ReportStore:
    """Typed writes and reads over one reports DuckDB file (``Settings.reports_db``).

    ``read_only`` stores never take the writer's lock, so several reviewers can read at once;
    ``review_below`` is the confidence under which a verdict asks for a reviewer.
    """

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        review_below: float = REVIEW_BELOW,
        lock_timeout_s: float | None = None,  # None: SANAD_DB_LOCK_TIMEOUT_S
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.review_below = review_below
        self._lock_timeout_s = lock_timeout_s
        self._file = _shared_file(self.path, read_only, lock_timeout_s)
        self._ready = False

    # connections ---------------------------------------------------------------------------------

    def _ensure_ready(self) -> None:
        """Create or upgrade the schema and fail orphaned runs, once per store object."""
        if self._ready:
            return
        if self.read_only:
            if not self.path.exists():
                raise ReportsError(f"no reports database at {self.path} yet: nothing has been verified")
            with self._file.connect() as con:
                version = schema_version(con)
                orphans = version == LATEST_VERSION and bool(orphaned_runs(con))
            # an older schema is upgraded, and runs whose process died are failed, with one short write;
            # a newer schema is refused by migrate()
            if version != LATEST_VERSION or orphans:
                with _shared_file(self.path, False, self._lock_timeout_s).transaction() as con:
                    migrate(con)
                    fail_orphaned_runs(con, _now())
        else:
            if not self.path.exists():
                _create(self.path)
            with self._file.transaction() as con:
                migrate(con)
                fail_orphaned_runs(con, _now())
        self._ready = True

    @contextlib.contextmanager
    def _write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.read_only:
            raise ReportsError(f"the reports store {self.path} was opened read-only")
        self._ensure_ready()
        with self._file.transaction() as con:
            yield con

    @contextlib.contextmanager
    def _read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self._ensure_ready()
        with self._file.connect() as con:
            yield con

    # writes --------------------------------------------------------------------------------------

    def start_run(
        self, kind: str, parameters: Mapping[str, Any] | BaseModel | None = None, *, run_id: str | None = None
    ) -> str:
        """Record a run as running on this host and process; returns its id (``run_id`` if given)."""
        now = _now()
        check_kind(kind)
        run_id = run_id if run_id is not None else new_run_id(kind, now)
        if not run_id.strip():
            raise ReportsError("run id must not be empty")
        encoded = pydantic_core.to_json(parameters if parameters is not None else {}).decode()
        with self._write() as con:
            if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchall():
                raise ReportsError(f"run {run_id!r} already exists")
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, 'running', ?, NULL, NULL, ?, ?)",
                [run_id, kind, encoded, now, this_host(), os.getpid()],
            )
        return run_id

    def finish_run(self, run_id: str, status: Literal["completed", "failed"], error: str | None = None) -> None:
        """Mark a running run completed or failed (with its error)."""
        if status not in ("completed", "failed"):
            raise ReportsError(f"a run finishes 'completed' or 'failed', not {status!r}")
        with self._write() as con:
            current = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchall()
            if not current:
                raise ReportsError(f"no run {run_id!r}")
            if current[0][0] != "running":
                raise ReportsError(f"run {run_id!r} already finished ({current[0][0]})")
            con.execute(
                "UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE run_id = ?",
                [status, _now(), error, run_id],
            )

    def record_article(self, article: Article) -> None:
        """Store an article, or refresh a stored one (keeping its first_seen and any metadata now missing)."""
        with self._write() as con:
            con.execute(
                """INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (article_id) DO UPDATE SET
                    url = coalesce(excluded.url, articles.url),
                    title = coalesce(excluded.title, articles.title),
                    publisher = coalesce(excluded.publisher, articles.publisher),
                    published_at = coalesce(excluded.published_at, articles.published_at),
                    language = coalesce(excluded.language, articles.language),
                    text = excluded.text""",
                rows.article_values(article, _now()),
            )

    def record_claims(self, claims: Sequence[Claim]) -> None:
        """Store claims of recorded articles (all or none); each span must match its article's text."""
        ids = [claim.claim_id for claim in claims]
        duplicates = sorted({claim_id for claim_id in ids if ids.count(claim_id) > 1})
        if duplicates:
            raise ReportsError(f"claim ids given twice: {duplicates}")
        if not claims:
            return
        now = _now()
        with self._write() as con:
            texts = dict(
                con.execute(
                    "SELECT article_id, text FROM articles WHERE article_id IN (SELECT unnest(?))",
                    [sorted({claim.article_id for claim in claims})],
                ).fetchall()
            )
            for claim in claims:
                if claim.article_id not in texts:
                    raise ReportsError(f"claim {claim.claim_id!r}: article {claim.article_id!r} is not recorded")
                if texts[claim.article_id][claim.start : claim.end] != claim.text:
                    raise ReportsError(
                        f"claim {claim.claim_id!r}: span {claim.start}:{claim.end} is not its text "
                        f"in article {claim.article_id!r}"
                    )
            con.executemany(
                """INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (claim_id) DO UPDATE SET
                    article_id = excluded.article_id, text = excluded.text, span_start = excluded.span_start,
                    span_end = excluded.span_end, language = excluded.language,
                    checkworthiness = excluded.checkworthiness, claim_type = excluded.claim_type,
                    speaker = excluded.speaker, attributed_content = excluded.attributed_content,
                    title = excluded.title, context = excluded.context""",
                [rows.claim_values(claim, now) for claim in claims],
            )

    def record_verdicts(
        self,
        run_id: str,
        scored: Sequence[tuple[Claim, Verdict]],
        *,
        embedding_model: str,
        store_generation: int,
    ) -> list[VerdictChange]:
        """Append one verdict row (with its evidence snapshot) per scored claim, all or none.

        Returns the claims whose label differs from their previous verdict, with the evidence
        cited now and not before, and before and not now.
        """
        for claim, verdict in scored:
            if verdict.label != "unverified" and not verdict.citations:
                raise ReportsError(f"claim {claim.claim_id!r}: a {verdict.label} verdict must cite a passage")
        if not scored:
            return []
        now = _now()
        with self._write() as con:
            status = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchall()
            if not status:
                raise ReportsError(f"no run {run_id!r}: start_run first")
            if status[0][0] != "running":
                raise ReportsError(f"run {run_id!r} is {status[0][0]}; it takes no more verdicts")
            claim_ids = sorted({claim.claim_id for claim, _ in scored})
            known = {
                claim_id
                for (claim_id,) in con.execute(
                    "SELECT claim_id FROM claims WHERE claim_id IN (SELECT unnest(?))", [claim_ids]
                ).fetchall()
            }
            missing = [claim_id for claim_id in claim_ids if claim_id not in known]
            if missing:
                raise ReportsError(f"claims not recorded (record_claims first): {missing}")
            latest = dict(
                con.execute(
                    "SELECT claim_id, max(verdict_id) FROM verdicts "
                    "WHERE claim_id IN (SELECT unnest(?)) GROUP BY claim_id",
                    [claim_ids],
                ).fetchall()
            )
            new_ids = []
            for claim, verdict in scored:
                (verdict_id,) = con.execute(
                    """INSERT INTO verdicts (claim_id, run_id, label, confidence, conflicting, justification,
                        claim_text, stance_model, embedding_model, store_generation, created_at, recorded_at,
                        previous_verdict_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING verdict_id""",
                    [
                        claim.claim_id,
                        run_id,
                        verdict.label,
                        verdict.confidence,
                        verdict.conflicting,
                        verdict.justification,
                        verdict.claim_text,
                        verdict.stance_model,
                        embedding_model,
                        store_generation,
                        rows.as_utc(verdict.created_at),
                        now,
                        latest.get(claim.claim_id),
                    ],
                ).fetchall()[0]
                latest[claim.claim_id] = verdict_id
                new_ids.append(verdict_id)
                if verdict.citations:
                    con.executemany(
                        _INSERT_EVIDENCE,
                        [rows.evidence_values(verdict_id, rank, c) for rank, c in enumerate(verdict.citations, 1)],
                    )
            changes = _dicts(
                con.execute(
                    "SELECT * FROM verdict_changes WHERE new_verdict_id IN (SELECT unnest(?)) ORDER BY new_verdict_id",
                    [new_ids],
                )
            )
        return [rows.change_from(change) for change in changes]

    def add_review(self, claim_id: str, rating: str, note: str, reviewer: str) -> Review:
        """Record a fact-checker's rating of a claim (``verify.reports.ratings``; a machine label reads as its
        plain rating), beside the machine's latest verdict."""
        rated = rating_named(rating)
        if rated is None:
            raise ReportsError(f"review rating {rating!r} is not one of {', '.join(RATINGS)}")
        if not note.strip():
            raise ReportsError("a review needs a note saying why")
        if not reviewer.strip():
            raise ReportsError("a review needs the reviewer's name")
        with self._write() as con:
            if not con.execute("SELECT 1 FROM claims WHERE claim_id = ?", [claim_id]).fetchall():
                raise ReportsError(f"no claim {claim_id!r} in the reports")
            (row,) = _dicts(
                con.execute(
                    """INSERT INTO reviews (claim_id, verdict_id, label, rating, note, reviewer, created_at)
                    VALUES (?, (SELECT max(verdict_id) FROM verdicts WHERE claim_id = ?), ?, ?, ?, ?, ?)
                    RETURNING * EXCLUDE (label)""",
                    [claim_id, claim_id, SCALE[rated].label, rated, note.strip(), reviewer.strip(), _now()],
                )
            )
        return Review(**row)

    # reads ---------------------------------------------------------------------------------------

    def run(self, run_id: str) -> RunRecord:
        """One run; an error if there is none with this id."""
        with self._read() as con:
            found = _dicts(con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]))
        if not found:
            raise ReportsError(f"no run {run_id!r} in the reports")
        return rows.run_from(found[0])

    def report(self, filters: ReportFilter | None = None) -> list[ReportRow]:
        """Claims with their latest verdict (or their verdict in ``filters.run_id``) and latest review.

        Newest articles first, claims in article order. An unknown run or article id is an error.
        """
        filters = filters or ReportFilter()
        with self._read() as con:
            if (
                filters.run_id is not None
                and not con.execute("SELECT 1 FROM runs WHERE run_id = ?", [filters.run_id]).fetchall()
            ):
                raise ReportsError(f"no run {filters.run_id!r} in the reports")
            if (
                filters.article_id is not None
                and not con.execute("SELECT 1 FROM articles WHERE article_id = ?", [filters.article_id]).fetchall()
            ):
                raise ReportsError(f"no article {filters.article_id!r} in the reports")
            found = _dicts(
                con.execute(
                    """SELECT * FROM claim_report($review_below, $run_id::VARCHAR)
                    WHERE ($article_id::VARCHAR IS NULL OR article_id = $article_id)
                      AND ($label::VARCHAR IS NULL OR label = $label)
                      AND ($since::TIMESTAMPTZ IS NULL OR recorded_at >= $since)
                      AND (NOT $needs_review OR needs_review)
                      AND (NOT $prior_checked OR verdict_id IN
                           (SELECT verdict_id FROM verdict_evidence WHERE prior_fact_check))
                    ORDER BY article_first_seen DESC, article_id, span_start, claim_id""",
                    {
                        "review_below": self.review_below,
                        "run_id": filters.run_id,
                        "article_id": filters.article_id,
                        "label": filters.label,
                        "since": rows.as_utc(filters.since),
                        "needs_review": filters.needs_review,
                        "prior_checked": filters.prior_checked,
                    },
                )
            )
        return [rows.report_row_from(row) for row in found]

    def needing_review(self) -> list[ReportRow]:
        """Latest verdicts asking for a reviewer: unreviewed ones with low confidence, conflicting evidence or a
        changed label; reviewed ones whose machine label changed, or that cite new evidence against the review."""
        return self.report(ReportFilter(needs_review=True))

    def changes(self, since: datetime | None = None, *, run_id: str | None = None) -> list[VerdictChange]:
        """Label changes between consecutive verdicts of a claim, oldest first."""
        with self._read() as con:
            found = _dicts(
                con.execute(
                    """SELECT * FROM verdict_changes
                    WHERE ($since::TIMESTAMPTZ IS NULL OR changed_at >= $since)
                      AND ($run_id::VARCHAR IS NULL OR run_id = $run_id)
                    ORDER BY new_verdict_id""",
                    {"since": rows.as_utc(since), "run_id": run_id},
                )
            )
        return [rows.change_from(row) for row in found]

    def claims_for_reverification(
        self,
        *,
        article_id: str | None = None,
        unverified_only: bool = False,
        older_than: timedelta | None = None,
        now: datetime | None = None,
    ) -> list[Claim]:
        """Stored claims to score again: all, or (combined) those of one article, those whose latest
        verdict is unverified, those whose latest verdict is older than ``older_than``; claims never
        scored count as unverified and old."""
        cutoff = None if older_than is None else rows.as_utc(now or _now()) - older_than
        with self._read() as con:
            found = _dicts(
                con.execute(
                    """SELECT * FROM claim_report(1.0, NULL)
                    WHERE ($article_id::VARCHAR IS NULL OR article_id = $article_id)
                      AND (NOT $unverified_only OR label IS NULL OR label = 'unverified')
                      AND ($cutoff::TIMESTAMPTZ IS NULL OR recorded_at IS NULL OR recorded_at < $cutoff)
                    ORDER BY article_id, span_start, claim_id""",
                    {"article_id": article_id, "unverified_only": unverified_only, "cutoff": cutoff},
                )
            )
        return [rows.claim_from(row) for row in found]
