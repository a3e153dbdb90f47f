"""The history database's schema, as numbered migrations tracked by SQLite's `user_version`.

Append a migration to change the schema; never edit one that has shipped. A database newer than this code
is refused (it is only an index: `interviewer history rebuild` recreates it from the sessions).
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: sessions, their questions, and one row per rubric item grade keyed by (question, item, rubric hash)
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,   -- what the session's files looked like when indexed (stale when it differs)
        error TEXT,                  -- why the session does not load; the other columns are then empty
        created_at TEXT, updated_at TEXT, finished_at TEXT,
        round TEXT, level TEXT, status TEXT,
        answered INTEGER, planned INTEGER, overall INTEGER,
        interviewer TEXT, grader TEXT, offline INTEGER,
        app_version TEXT, bank_version TEXT
    );
    CREATE INDEX sessions_by_time ON sessions (created_at);
    CREATE TABLE questions (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        question_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        round TEXT NOT NULL,
        rubric_hash TEXT NOT NULL,
        PRIMARY KEY (session_id, question_id)
    );
    CREATE TABLE grades (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        rubric_hash TEXT NOT NULL,
        grader TEXT NOT NULL,
        path TEXT NOT NULL,
        provisional INTEGER NOT NULL,
        score INTEGER NOT NULL,
        graded_at TEXT NOT NULL,
        sort_key TEXT NOT NULL,      -- session time, session id, question position: oldest sorts first
        PRIMARY KEY (session_id, question_id)
    );
    CREATE INDEX grades_by_topic ON grades (topic, sort_key, score);
    CREATE TABLE item_grades (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        rubric_hash TEXT NOT NULL,
        item_name TEXT NOT NULL,
        weight INTEGER NOT NULL,
        score INTEGER NOT NULL,
        grader TEXT NOT NULL,
        graded_at TEXT NOT NULL,
        sort_key TEXT NOT NULL,      -- as in grades
        PRIMARY KEY (session_id, question_id, item_id)
    );
    CREATE INDEX item_grades_by_item ON item_grades (question_id, item_id, grader, sort_key, score, item_name);
    """,
    # 2: hints taken and skips per graded question (what the drill schedule rates as "again"); the sessions are
    # indexed again to fill them in (the index is rebuilt from the sessions on the next refresh)
    """
    ALTER TABLE grades ADD COLUMN hints INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE grades ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
    DELETE FROM sessions;
    """,
    # 3: every grade of a question, not only the latest (a regrade appends one): numbered per question, with why
    # it was made, when, and which views read it; the sessions are indexed again to fill them in
    """
    DROP TABLE item_grades;
    DROP TABLE grades;
    CREATE TABLE grades (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        seq INTEGER NOT NULL,        -- 0: the question's first grade, then one per regrade, in log order
        topic TEXT NOT NULL,
        rubric_hash TEXT NOT NULL,
        grader TEXT NOT NULL,        -- who the grade counts for (a screened-out answer: the grader in charge)
        path TEXT NOT NULL,
        provisional INTEGER NOT NULL,
        score INTEGER NOT NULL,
        hints INTEGER NOT NULL,
        skipped INTEGER NOT NULL,
        reason TEXT NOT NULL,        -- session, resume, regrade or migrated
        latest INTEGER NOT NULL,     -- 1: the question's latest grade (what the report and the drills use)
        newest_of_grader INTEGER NOT NULL,  -- 1: the newest by this grader (what progress compares, per grader)
        session_grade INTEGER NOT NULL,     -- 1: the newest by the session's grader, else the latest (the charts)
        graded_at TEXT NOT NULL,     -- when the grade was made
        answered_at TEXT NOT NULL,   -- when the question was done
        sort_key TEXT NOT NULL,      -- session time, session id, question position: oldest sorts first
        PRIMARY KEY (session_id, question_id, seq)
    );
    CREATE INDEX grades_by_topic ON grades (newest_of_grader, topic, grader, sort_key, score);
    CREATE INDEX grades_charted ON grades (session_grade, session_id, topic, score);
    CREATE TABLE item_grades (
        session_id TEXT NOT NULL,
        question_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        item_id TEXT NOT NULL,
        rubric_hash TEXT NOT NULL,
        item_name TEXT NOT NULL,
        weight INTEGER NOT NULL,
        score INTEGER NOT NULL,
        grader TEXT NOT NULL,
        latest INTEGER NOT NULL,
        newest_of_grader INTEGER NOT NULL,
        graded_at TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        sort_key TEXT NOT NULL,
        PRIMARY KEY (session_id, question_id, seq, item_id),
        FOREIGN KEY (session_id, question_id, seq) REFERENCES grades ON DELETE CASCADE
    );
    CREATE INDEX item_grades_by_item ON item_grades
        (newest_of_grader, question_id, item_id, grader, sort_key, score, item_name);
    CREATE INDEX item_grades_latest ON item_grades (latest, sort_key);
    DELETE FROM sessions;
    """,
    # 4: a token that changes whenever the indexed content does, so what is derived from the whole history (the
    # drill schedule) can be cached under it without reading every grade to see whether anything changed
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('content', lower(hex(randomblob(16))));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(Exception):
    """The database was written by a newer interviewer."""


def migrate(db: sqlite3.Connection) -> None:
    """Bring the schema up to SCHEMA_VERSION, one migration per transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(f"history database schema {version} is newer than this interviewer ({SCHEMA_VERSION})")
    for number in range(version + 1, SCHEMA_VERSION + 1):
        db.executescript(f"BEGIN; {MIGRATIONS[number - 1]}; PRAGMA user_version = {number}; COMMIT;")
