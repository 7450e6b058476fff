"""The reports database schema, as an ordered list of migrations applied in one transaction.

A migration is never edited once released: change the schema by appending one (views and
macros are replaced with ``CREATE OR REPLACE``). ``schema_version`` keeps one row per
applied migration.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from verify.reports.types import ReportsError

REVIEW_BELOW = 0.6  # confidence under which the ``claims_needing_review`` view asks for a reviewer


@dataclass(frozen=True)
class Migration:
    """One step of the schema: statements run in order, in the caller's transaction."""

    version: int
    name: str
    statements: tuple[str, ...]


_TABLES = (
    """CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        parameters JSON NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        error VARCHAR,
        host VARCHAR NOT NULL,
        pid INTEGER NOT NULL
    )""",
    """CREATE TABLE articles (
        article_id VARCHAR PRIMARY KEY,
        url VARCHAR,
        title VARCHAR,
        publisher VARCHAR,
        published_at TIMESTAMPTZ,
        language VARCHAR,
        text VARCHAR NOT NULL,
        first_seen TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE claims (
        claim_id VARCHAR PRIMARY KEY,
        article_id VARCHAR NOT NULL,
        text VARCHAR NOT NULL,
        span_start INTEGER NOT NULL,
        span_end INTEGER NOT NULL,
        language VARCHAR,
        checkworthiness DOUBLE NOT NULL CHECK (checkworthiness BETWEEN 0 AND 1),
        claim_type VARCHAR NOT NULL,
        speaker VARCHAR,
        attributed_content VARCHAR,
        title VARCHAR,
        context VARCHAR,
        first_seen TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX claims_article ON claims (article_id)",
    "CREATE SEQUENCE verdict_ids START 1",
    """CREATE TABLE verdicts (
        verdict_id BIGINT PRIMARY KEY DEFAULT nextval('verdict_ids'),
        claim_id VARCHAR NOT NULL,
        run_id VARCHAR NOT NULL,
        label VARCHAR NOT NULL CHECK (label IN ('supported', 'disputed', 'unverified')),
        confidence DOUBLE NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        conflicting BOOLEAN NOT NULL,
        justification VARCHAR NOT NULL,
        claim_text VARCHAR NOT NULL,
        stance_model VARCHAR NOT NULL,
        embedding_model VARCHAR NOT NULL,
        store_generation BIGINT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL,
        previous_verdict_id BIGINT  -- the claim's latest verdict when this one was recorded
    )""",
    "CREATE INDEX verdicts_claim ON verdicts (claim_id)",
    """CREATE TABLE verdict_evidence (
        verdict_id BIGINT NOT NULL,
        rank INTEGER NOT NULL,
        passage_id BIGINT NOT NULL,
        doc_id VARCHAR NOT NULL,
        passage_order INTEGER NOT NULL,
        char_start INTEGER NOT NULL,
        char_end INTEGER NOT NULL,
        language VARCHAR,
        url VARCHAR,
        title VARCHAR,
        publisher VARCHAR,
        published_at TIMESTAMPTZ,
        claim_reviewed VARCHAR,
        rating VARCHAR,
        passage_text VARCHAR NOT NULL,
        p_supports DOUBLE NOT NULL,
        p_refutes DOUBLE NOT NULL,
        p_neutral DOUBLE NOT NULL,
        relevance DOUBLE NOT NULL,
        weight DOUBLE NOT NULL,
        PRIMARY KEY (verdict_id, rank)
    )""",
    "CREATE SEQUENCE review_ids START 1",
    """CREATE TABLE reviews (
        review_id BIGINT PRIMARY KEY DEFAULT nextval('review_ids'),
        claim_id VARCHAR NOT NULL,
        verdict_id BIGINT,
        label VARCHAR NOT NULL CHECK (label IN ('supported', 'disputed', 'unverified')),
        note VARCHAR NOT NULL,
        reviewer VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX reviews_claim ON reviews (claim_id)",
)

# verdict_evidence's columns as of migration 2, the fields of every evidence_items struct
_EVIDENCE_ITEM_FIELDS = (
    "rank", "passage_id", "doc_id", "passage_order", "char_start", "char_end", "language", "url", "title",
    "publisher", "published_at", "claim_reviewed", "rating", "passage_text", "p_supports", "p_refutes",
    "p_neutral", "relevance", "weight",
)  # fmt: skip


def _evidence_items_view(*later_fields: str) -> str:
    """The evidence_items view (each verdict_evidence row as one struct); ``later_fields``: ``name := expr``
    of columns added by later migrations."""
    fields = ", ".join([f"{name} := {name}" for name in _EVIDENCE_ITEM_FIELDS] + list(later_fields))
    return f"""CREATE OR REPLACE VIEW evidence_items AS
    SELECT verdict_id, rank, passage_id, struct_pack({fields}) AS item
    FROM verdict_evidence"""


def _claim_report_joined(*later_review_columns: str) -> str:
    """The claim_report macro up to its review reasons: one row per claim in ``joined``, with ``unreviewed``
    true where no review was made on or after the verdict shown; ``later_review_columns``: ``r.x AS y`` of
    review columns added by later migrations."""
    later = "".join(f"{column}, " for column in later_review_columns)
    return f"""CREATE OR REPLACE MACRO claim_report(review_below, only_run) AS TABLE
    WITH picked AS (
        SELECT * FROM verdict_history
        WHERE only_run IS NULL OR run_id = only_run
        QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY verdict_id DESC) = 1
    ), evidence_lists AS (
        SELECT verdict_id, list(item ORDER BY rank) AS evidence FROM evidence_items GROUP BY verdict_id
    ), joined AS (
        SELECT c.claim_id, c.article_id, c.text AS claim_text, c.span_start, c.span_end,
               c.language AS claim_language, c.checkworthiness, c.claim_type, c.speaker,
               c.attributed_content, c.title AS claim_title, c.context,
               a.url AS article_url, a.title AS article_title, a.publisher AS article_publisher,
               a.published_at AS article_published_at, a.language AS article_language,
               a.first_seen AS article_first_seen,
               v.verdict_id, v.run_id, v.label, v.confidence, v.conflicting, v.justification,
               v.claim_text AS verified_text, v.stance_model, v.embedding_model, v.store_generation,
               v.created_at AS verdict_created_at, v.recorded_at, v.previous_label, v.is_latest,
               e.evidence[1].publisher AS top_publisher, e.evidence[1].published_at AS top_published_at,
               e.evidence[1].url AS top_url, coalesce(len(e.evidence), 0) AS evidence_count, e.evidence,
               r.review_id, r.verdict_id AS review_verdict_id, r.label AS review_label, r.note AS review_note,
               {later}r.reviewer, r.created_at AS reviewed_at,
               v.verdict_id IS NOT NULL
                   AND (r.review_id IS NULL OR r.verdict_id IS NULL OR r.verdict_id < v.verdict_id) AS unreviewed
        FROM claims c
        JOIN articles a ON a.article_id = c.article_id
        LEFT JOIN picked v ON v.claim_id = c.claim_id
        LEFT JOIN evidence_lists e ON e.verdict_id = v.verdict_id
        LEFT JOIN latest_reviews r ON r.claim_id = c.claim_id
        WHERE only_run IS NULL OR v.verdict_id IS NOT NULL
    )"""


# migration 2: every verdict not reviewed since asks for a reviewer for its own reasons
_REASONS_UNTIL_REVIEWED = """
    SELECT * EXCLUDE (unreviewed),
           CASE WHEN unreviewed THEN list_concat(list_concat(
               CASE WHEN confidence < review_below THEN ['low confidence'] ELSE []::VARCHAR[] END,
               CASE WHEN conflicting THEN ['conflicting'] ELSE []::VARCHAR[] END),
               CASE WHEN previous_label <> label THEN ['changed'] ELSE []::VARCHAR[] END)
           ELSE []::VARCHAR[] END AS review_reasons,
           len(review_reasons) > 0 AS needs_review
    FROM joined"""

# migration 4: a reviewed claim asks again only when its machine label differs from the one the reviewer saw,
# or when it cites a passage not cited then whose most probable stance (``StanceScore.label``, ties going to
# supports, then refutes) is against the reviewer's label: refutes against supported, supports against
# disputed, either against unverified.
# A passage counts as cited then by its id or, since re-ingesting a document renumbers its passages, by
# its document and text. ``stale`` reads ``picked``, not ``joined``: a second reference to ``joined`` would
# materialize its evidence lists (a 20,000-claim report took 2.5 times as long).
_REASONS_SINCE_REVIEW = """,
    stale AS (
        SELECT v.claim_id, v.verdict_id, r.verdict_id AS review_verdict_id, r.label AS review_label,
               seen.label AS seen_label, strftime(timezone('UTC', r.created_at), '%Y-%m-%d') AS review_day
        FROM picked v
        JOIN latest_reviews r ON r.claim_id = v.claim_id
        LEFT JOIN verdicts seen ON seen.verdict_id = r.verdict_id
        WHERE r.verdict_id IS NULL OR r.verdict_id < v.verdict_id
    ), against AS (
        SELECT s.claim_id, min(n.rank) AS first_rank,
               'new evidence disagrees with the review: '
                   || coalesce(nullif(concat_ws(' ', n.publisher, n.url), ''), n.doc_id) AS reason
        FROM stale s
        JOIN verdict_evidence n ON n.verdict_id = s.verdict_id
        WHERE CASE s.review_label
                  WHEN 'supported' THEN n.p_refutes > n.p_supports AND n.p_refutes >= n.p_neutral
                  WHEN 'disputed' THEN n.p_supports >= n.p_refutes AND n.p_supports >= n.p_neutral
                  ELSE greatest(n.p_supports, n.p_refutes) >= n.p_neutral END
          AND NOT EXISTS (
              SELECT 1 FROM verdict_evidence o
              WHERE o.verdict_id = s.review_verdict_id AND o.passage_id = n.passage_id)
          AND NOT EXISTS (
              SELECT 1 FROM verdict_evidence o
              WHERE o.verdict_id = s.review_verdict_id AND o.doc_id = n.doc_id AND o.passage_text = n.passage_text)
        GROUP BY s.claim_id, reason
    ), disagreeing AS (
        SELECT claim_id, list(reason ORDER BY first_rank) AS reasons FROM against GROUP BY claim_id
    )
    SELECT j.* EXCLUDE (unreviewed),
           CASE WHEN NOT j.unreviewed THEN []::VARCHAR[]
                WHEN j.review_id IS NULL THEN list_concat(list_concat(
                    CASE WHEN j.confidence < review_below THEN ['low confidence'] ELSE []::VARCHAR[] END,
                    CASE WHEN j.conflicting THEN ['conflicting'] ELSE []::VARCHAR[] END),
                    CASE WHEN j.previous_label <> j.label THEN ['changed'] ELSE []::VARCHAR[] END)
                ELSE list_concat(
                    CASE WHEN s.seen_label IS DISTINCT FROM j.label
                         THEN ['machine label changed from ' || coalesce(s.seen_label, 'none') || ' to ' || j.label
                               || ' since the review on ' || s.review_day]
                         ELSE []::VARCHAR[] END,
                    coalesce(d.reasons, []::VARCHAR[]))
           END AS review_reasons,
           len(review_reasons) > 0 AS needs_review
    FROM joined j
    LEFT JOIN stale s ON s.claim_id = j.claim_id
    LEFT JOIN disagreeing d ON d.claim_id = j.claim_id"""

_VIEWS = (
    """CREATE OR REPLACE VIEW verdict_history AS
    SELECT v.*, p.label AS previous_label,
           v.verdict_id = max(v.verdict_id) OVER (PARTITION BY v.claim_id) AS is_latest
    FROM verdicts v
    LEFT JOIN verdicts p ON p.verdict_id = v.previous_verdict_id""",
    _evidence_items_view(),
    """CREATE OR REPLACE VIEW latest_reviews AS
    SELECT * FROM reviews
    QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY review_id DESC) = 1""",
    # one row per claim (only_run NULL: its latest verdict; else its last verdict of that run)
    _claim_report_joined() + _REASONS_UNTIL_REVIEWED,
    f"CREATE OR REPLACE VIEW latest_verdicts AS SELECT * FROM claim_report({REVIEW_BELOW}, NULL)",
    "CREATE OR REPLACE VIEW claims_needing_review AS SELECT * FROM latest_verdicts WHERE needs_review",
    # no window here: a filter on new_verdict_id reaches the verdicts table directly
    """CREATE OR REPLACE VIEW verdict_changes AS
    SELECT h.claim_id, h.claim_text, h.run_id, h.recorded_at AS changed_at,
           p.verdict_id AS old_verdict_id, h.verdict_id AS new_verdict_id,
           p.label AS old_label, h.label AS new_label,
           p.confidence AS old_confidence, h.confidence AS new_confidence,
           coalesce((SELECT list(i.item ORDER BY i.rank) FROM evidence_items i
                     WHERE i.verdict_id = h.verdict_id AND i.passage_id NOT IN
                         (SELECT o.passage_id FROM verdict_evidence o WHERE o.verdict_id = p.verdict_id)),
                    []) AS evidence_added,
           coalesce((SELECT list(i.item ORDER BY i.rank) FROM evidence_items i
                     WHERE i.verdict_id = p.verdict_id AND i.passage_id NOT IN
                         (SELECT n.passage_id FROM verdict_evidence n WHERE n.verdict_id = h.verdict_id)),
                    []) AS evidence_removed
    FROM verdicts h
    JOIN verdicts p ON p.verdict_id = h.previous_verdict_id
    WHERE p.label <> h.label""",
)

# a citation can be a published fact-check of the very claim (``verify.prior``), whose rating the verdict follows;
# rows recorded before read as ordinary evidence
_PRIOR_FACT_CHECKS = (
    "ALTER TABLE verdict_evidence ADD COLUMN prior_fact_check BOOLEAN DEFAULT false",
    _evidence_items_view("prior_fact_check := coalesce(prior_fact_check, false)"),
)

# reviews are rated on the fact-checkers' scale (``verify.reports.ratings``); the label column keeps the machine
# label a rating falls under, and reviews recorded before read as that label's plain rating
_REVIEW_RATINGS = (
    "ALTER TABLE reviews ADD COLUMN rating VARCHAR",
    """UPDATE reviews SET rating = CASE label WHEN 'supported' THEN 'true' WHEN 'disputed' THEN 'false'
                                   ELSE 'unproven' END""",
    _claim_report_joined("r.rating AS review_rating") + _REASONS_SINCE_REVIEW,
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "tables: runs, articles, claims, verdicts, verdict_evidence, reviews", _TABLES),
    Migration(2, "views: latest_verdicts, claims_needing_review, verdict_changes", _VIEWS),
    Migration(3, "verdict_evidence.prior_fact_check: citations of a published fact-check", _PRIOR_FACT_CHECKS),
    Migration(
        4,
        "claim_report: a reviewed claim asks again only for a changed label or new evidence against the review",
        (_claim_report_joined() + _REASONS_SINCE_REVIEW,),
    ),
    Migration(5, "reviews.rating: the reviewer's rating on the fact-checkers' scale", _REVIEW_RATINGS),
)
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version of the open database: 0 when it is empty; an error if it is not a reports database."""
    tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "schema_version" not in tables:
        if tables:
            raise ReportsError(f"this database is not a Sanad reports database (it has tables {sorted(tables)})")
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0])


def migrate(con: duckdb.DuckDBPyConnection, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Bring the database up to the last migration inside the caller's transaction; returns the version."""
    version = schema_version(con)
    known = migrations[-1].version
    if version > known:
        raise ReportsError(
            f"the reports database is at schema version {version}, newer than this Sanad knows ({known}); "
            "upgrade Sanad to read it"
        )
    if version == 0:
        con.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
            "applied_at TIMESTAMPTZ NOT NULL)"
        )
    for migration in migrations:
        if migration.version <= version:
            continue
        for statement in migration.statements:
            con.execute(statement)
        con.execute(
            "INSERT INTO schema_version VALUES (?, ?, ?)", [migration.version, migration.name, datetime.now(UTC)]
        )
        version = migration.version
    return version
