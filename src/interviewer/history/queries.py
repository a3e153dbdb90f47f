"""What `review`, `review progress` and `review export` read from the history database.

The database holds every grade of every question (a regrade adds one). Which of them a view reads:
- progress (by topic, by rubric item) compares the newest grade of each grader, per grader, so a regrade by
  another model adds that model's line and never shows as an improvement or a regression;
- the progress charts read each session's grades by the session's own grader (else the latest);
- the drills, the planner's weak topics and the export's `latest` column use each question's latest grade.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class SessionRow:
    id: str
    error: str | None  # set when the session does not load; the other fields are then empty
    created_at: str | None
    round: str | None
    level: str | None
    answered: int | None
    planned: int | None
    overall: int | None
    status: str | None
    grader: str | None


@dataclass(frozen=True)
class Progress:
    """Scores of one topic, or of one rubric item under one grader, oldest to newest."""

    count: int
    first: int
    latest: int
    average: float


@dataclass(frozen=True)
class TopicProgress(Progress):
    topic: str
    grader: str


@dataclass(frozen=True)
class ItemProgress(Progress):
    question_id: str
    item_id: str
    name: str  # the item's latest display name
    grader: str


EXPORT_COLUMNS = (
    "session_id",
    "session_created_at",
    "question_id",
    "topic",
    "round",
    "rubric_hash",
    "item_id",
    "item_name",
    "weight",
    "score",
    "question_score",
    "grader",
    "path",
    "provisional",
    "reason",
    "latest",
    "graded_at",
)


def _session_rows(db: sqlite3.Connection, where: str, limit: int | None = None) -> list[SessionRow]:
    query = (
        "SELECT id, error, created_at, round, level, answered, planned, overall, status, grader FROM sessions"
        f" WHERE {where} ORDER BY created_at DESC, id DESC"
    )
    return [SessionRow(*row) for row in db.execute(query + (" LIMIT ?" if limit else ""), (limit,) if limit else ())]


def sessions(db: sqlite3.Connection, limit: int | None = None) -> list[SessionRow]:
    """The sessions that load, newest first (the `limit` newest when given)."""
    return _session_rows(db, "error IS NULL", limit)


def broken_sessions(db: sqlite3.Connection) -> list[SessionRow]:
    return _session_rows(db, "error IS NOT NULL")


def session_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM sessions WHERE error IS NULL").fetchone()[0]


def _progress(db: sqlite3.Connection, table: str, keys: str, label: str) -> list[tuple]:
    """(count, first, latest, average, latest label, *keys) per group, in key order, over each grader's newest grades.

    Three index-only GROUP BY scans (SQLite takes a bare column from the row holding the min or max), so
    `review progress` stays fast with thousands of sessions.
    """
    rows_of = f"FROM {table} WHERE newest_of_grader = 1 GROUP BY {keys}"
    totals = db.execute(f"SELECT {keys}, count(*), avg(score) {rows_of} ORDER BY {keys}")
    first = db.execute(f"SELECT {keys}, score, min(sort_key) {rows_of}")
    latest = db.execute(f"SELECT {keys}, score, {label}, max(sort_key) {rows_of}")
    width = keys.count(",") + 1
    firsts = {tuple(row[:width]): row[width] for row in first}
    latests = {tuple(row[:width]): (row[width], row[width + 1]) for row in latest}
    rows = []
    for row in totals:
        group, (count, average) = tuple(row[:width]), row[width:]
        rows.append((count, firsts[group], latests[group][0], average, latests[group][1], *group))
    return rows


def topic_progress(db: sqlite3.Connection) -> list[TopicProgress]:
    """Question scores by topic and grader, topics in alphabetical order."""
    return [
        TopicProgress(c, f, latest, avg, topic, grader)
        for c, f, latest, avg, _, topic, grader in _progress(db, "grades", "topic, grader", "NULL")
    ]


def weakest_topics(db: sqlite3.Connection, limit: int) -> list[str]:
    """The `limit` topics with the lowest average latest grade (what `start --focus-weak` favours)."""
    rows = db.execute(
        "SELECT topic FROM grades WHERE latest = 1 GROUP BY topic ORDER BY avg(score), topic LIMIT ?", (limit,)
    )
    return [row[0] for row in rows]


def weakest_items(db: sqlite3.Connection, limit: int) -> list[ItemProgress]:
    """The `limit` rubric items with the lowest average, one entry per (question id, item id, grader).

    Items are told apart by id, never by display name (a renamed item keeps its history, under its latest
    name), and grades from different graders are never averaged together.
    """
    rows = _progress(db, "item_grades", "question_id, item_id, grader", "item_name")
    items = [ItemProgress(c, f, latest, avg, q, i, name, g) for c, f, latest, avg, name, q, i, g in rows]
    return sorted(items, key=lambda item: item.average)[:limit]


def export_rows(db: sqlite3.Connection) -> list[dict[str, object]]:
    """One row per item grade (every grade, the latest of each question marked), oldest session first."""
    rows = db.execute(
        "SELECT i.session_id, s.created_at, i.question_id, q.topic, q.round, i.rubric_hash, i.item_id, i.item_name,"
        " i.weight, i.score, g.score, i.grader, g.path, g.provisional, g.reason, g.latest, i.graded_at"
        " FROM item_grades i JOIN sessions s ON s.id = i.session_id"
        " JOIN questions q ON q.session_id = i.session_id AND q.question_id = i.question_id"
        " JOIN grades g ON g.session_id = i.session_id AND g.question_id = i.question_id AND g.seq = i.seq"
        " ORDER BY i.sort_key, i.seq, i.rowid"
    )
    return [
        dict(zip(EXPORT_COLUMNS, row, strict=True)) | {"provisional": bool(row[13]), "latest": bool(row[15])}
        for row in rows
    ]


class ItemReview(NamedTuple):
    """One rubric item grade with what happened on its question (hints, a skip), for the drill schedule.
    A tuple: `review progress` reads one per graded item, thousands at a time."""

    question_id: str
    item_id: str
    item_name: str
    score: int
    hints: int
    skipped: bool
    graded_at: str


def content_token(db: sqlite3.Connection) -> str:
    """Changes whenever anything indexed does (a refresh that reindexed or dropped a session, a rebuild)."""
    return db.execute("SELECT value FROM meta WHERE key = 'content'").fetchone()[0]


def item_reviews(db: sqlite3.Connection) -> list[ItemReview]:
    """Each question's latest rubric item grades, oldest answer first (the order the schedule replays them in).

    `graded_at` is when the question was answered: a regrade corrects a review, it is not a new one."""
    rows = db.execute(
        "SELECT i.question_id, i.item_id, i.item_name, i.score, g.hints, g.skipped, i.answered_at FROM item_grades i"
        " JOIN grades g ON g.session_id = i.session_id AND g.question_id = i.question_id AND g.seq = i.seq"
        " WHERE i.latest = 1 ORDER BY i.sort_key, i.rowid"
    )
    return [ItemReview(q, i, name, score, hints, bool(skipped), at) for q, i, name, score, hints, skipped, at in rows]


def recent_question_ids(db: sqlite3.Connection, sessions: int) -> set[str]:
    """The questions graded in the `sessions` newest sessions (what `start` avoids asking again)."""
    rows = db.execute(
        "SELECT DISTINCT question_id FROM grades WHERE session_id IN"
        " (SELECT id FROM sessions WHERE error IS NULL ORDER BY created_at DESC, id DESC LIMIT ?)",
        (sessions,),
    )
    return {row[0] for row in rows}


@dataclass(frozen=True)
class SessionScore:
    id: str
    created_at: str
    overall: int | None
    topics: dict[str, int]  # the session's average question score per topic


def session_scores(db: sqlite3.Connection) -> list[SessionScore]:
    """Every graded session that loads, oldest first, with its overall and per-topic scores by its own grader."""
    topics: dict[str, dict[str, int]] = {}
    overall: dict[str, int] = {}
    for session_id, topic, average in db.execute(
        "SELECT session_id, topic, avg(score) FROM grades WHERE session_grade = 1 GROUP BY session_id, topic"
    ):
        topics.setdefault(session_id, {})[topic] = round(average)
    for session_id, average in db.execute(
        "SELECT session_id, avg(score) FROM grades WHERE session_grade = 1 GROUP BY session_id"
    ):
        overall[session_id] = round(average)
    rows = db.execute("SELECT id, created_at FROM sessions WHERE error IS NULL ORDER BY created_at, id")
    return [SessionScore(sid, created, overall[sid], topics[sid]) for sid, created in rows if sid in overall]
