"""What `review`, `review progress` and `review export` read from the history database."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


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
class TopicProgress:
    topic: str
    scores: list[int]  # oldest first


@dataclass(frozen=True)
class ItemProgress:
    question_id: str
    item_id: str
    name: str  # the item's latest display name
    grader: str
    scores: list[int]  # oldest first, all from this grader

    @property
    def average(self) -> float:
        return sum(self.scores) / len(self.scores)


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


def topic_progress(db: sqlite3.Connection) -> list[TopicProgress]:
    rows = db.execute(
        "SELECT q.topic, g.score FROM grades g"
        " JOIN sessions s ON s.id = g.session_id"
        " JOIN questions q ON q.session_id = g.session_id AND q.question_id = g.question_id"
        " ORDER BY q.topic, s.created_at, s.id, q.position"
    )
    by_topic: dict[str, list[int]] = {}
    for topic, score in rows:
        by_topic.setdefault(topic, []).append(score)
    return [TopicProgress(topic, scores) for topic, scores in by_topic.items()]


def item_progress(db: sqlite3.Connection) -> list[ItemProgress]:
    """One entry per (question id, item id, grader): renamed items keep their history, graders stay apart."""
    rows = db.execute(
        "SELECT i.question_id, i.item_id, i.grader, i.item_name, i.score FROM item_grades i"
        " JOIN sessions s ON s.id = i.session_id"
        " ORDER BY i.question_id, i.item_id, i.grader, s.created_at, s.id"
    )
    groups: dict[tuple[str, str, str], tuple[list[str], list[int]]] = {}
    for question_id, item_id, grader, name, score in rows:
        names, scores = groups.setdefault((question_id, item_id, grader), ([], []))
        names.append(name)
        scores.append(score)
    return [ItemProgress(q, i, names[-1], g, scores) for (q, i, g), (names, scores) in groups.items()]


def export_rows(db: sqlite3.Connection) -> list[dict[str, object]]:
    """One row per item grade, oldest session first."""
    rows = db.execute(
        "SELECT i.session_id, s.created_at, i.question_id, q.topic, q.round, i.rubric_hash, i.item_id, i.item_name,"
        " i.weight, i.score, g.score, i.grader, g.path, g.provisional, i.graded_at FROM item_grades i"
        " JOIN sessions s ON s.id = i.session_id"
        " JOIN questions q ON q.session_id = i.session_id AND q.question_id = i.question_id"
        " JOIN grades g ON g.session_id = i.session_id AND g.question_id = i.question_id"
        " ORDER BY s.created_at, s.id, q.position, i.rowid"
    )
    return [dict(zip(EXPORT_COLUMNS, row, strict=True)) | {"provisional": bool(row[13])} for row in rows]
