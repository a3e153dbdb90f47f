"""Keep the history database in step with the store: the sessions stay the source of truth.

A session's row carries a fingerprint of the files it is read from (`Store.stamps`: sizes and mtimes).
`refresh` reindexes only the sessions whose fingerprint changed, adds new ones and drops deleted ones, so a
warm `review` makes two stat calls per session instead of parsing every transcript. A session that does not
load is indexed as broken, with the reason.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interviewer.history.db import open_history
from interviewer.transcripts.store import Store, StoreError

if TYPE_CHECKING:
    from interviewer.grading.models import QuestionGrade
    from interviewer.transcripts.record import GradeStamp, SessionRecord

_MAX_REASON_CHARS = 200


@dataclass(frozen=True)
class RefreshResult:
    indexed: int  # sessions (re)read from the store
    removed: int
    broken: int  # of those indexed, how many do not load


def load_error(exc: Exception) -> str:
    """Why a session does not load, in one line."""
    from pydantic import ValidationError  # only a broken session pays for the import

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        count = exc.error_count()
        text = f"transcript does not validate ({count} error{'s' * (count != 1)}; first: {where}: {first['msg']})"
    else:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:_MAX_REASON_CHARS]


def _insert(db: sqlite3.Connection, record: SessionRecord, stamp: str) -> None:
    from interviewer.transcripts.events import rubric_hash  # here: a warm `review` reads no session, needs no bank
    from interviewer.transcripts.fold import iso

    db.execute(
        "INSERT INTO sessions VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            stamp,
            record.created_at,
            record.updated_at,
            record.finished_at,
            record.options.round,
            record.options.level,
            record.status.value,
            len(record.completed_ids()),
            len(record.engine.plan),
            record.overall_score(),
            record.engines.interviewer,
            record.engines.grader,
            int(record.engines.offline),
            record.app_version,
            record.bank_version,
        ),
    )
    hashes = {q.id: rubric_hash(q) for q in record.questions}
    db.executemany(
        "INSERT INTO questions VALUES (?, ?, ?, ?, ?, ?)",
        [(record.id, n, q.id, q.topic, q.round.value, hashes[q.id]) for n, q in enumerate(record.questions)],
    )
    done_at = {run.question_id: run.finished_at for run in record.engine.runs}
    grade_rows: list[dict[str, object]] = []
    item_rows: list[dict[str, object]] = []
    for n, question in enumerate(record.questions):
        history = record.grade_history(question.id)
        finished = done_at.get(question.id)
        common = {
            "session_id": record.id,
            "question_id": question.id,
            "answered_at": iso(finished) if finished else record.finished_at or record.updated_at,
            "sort_key": f"{record.created_at} {record.id} {n:04d}",
        }
        for seq, ((grade, made), (latest, newest_of_grader, session_grade)) in enumerate(
            zip(history, _flags(history, record.engines.grader), strict=True)
        ):
            row = common | {
                "seq": seq,
                "rubric_hash": made.rubric_hash,
                "grader": made.grader,
                "latest": latest,
                "newest_of_grader": newest_of_grader,
                "graded_at": iso(made.at),
            }
            grade_rows.append(
                row
                | {
                    "topic": question.topic,
                    "path": grade.path.value,
                    "provisional": int(grade.provisional),
                    "score": grade.score,
                    "hints": grade.hints_used,
                    "skipped": int(grade.skipped),
                    "reason": made.reason,
                    "session_grade": session_grade,
                }
            )
            item_rows.extend(
                row | {"item_id": i.item_id, "item_name": i.name, "weight": i.weight, "score": i.score}
                for i in grade.items
            )
    _insert_rows(db, "grades", grade_rows)
    _insert_rows(db, "item_grades", item_rows)


def _insert_rows(db: sqlite3.Connection, table: str, rows: list[dict[str, object]]) -> None:
    if rows:
        columns = list(rows[0])
        names, values = ", ".join(columns), ", ".join(f":{c}" for c in columns)
        db.executemany(f"INSERT INTO {table} ({names}) VALUES ({values})", rows)


def _flags(history: list[tuple[QuestionGrade, GradeStamp]], session_grader: str) -> list[tuple[int, int, int]]:
    """(latest, newest of its grader, the session's grade) for each of a question's grades, oldest first."""
    graders = [made.grader for _, made in history]
    newest = {grader: seq for seq, grader in enumerate(graders)}  # the last seq of each grader wins
    session_seq = newest.get(session_grader, len(history) - 1)
    return [
        (int(seq == len(history) - 1), int(newest[g] == seq), int(seq == session_seq)) for seq, g in enumerate(graders)
    ]


def _index_one(db: sqlite3.Connection, store: Store, session_id: str, stamp: str) -> bool:
    """Index one session; False when it does not load (then it is recorded as broken)."""
    db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
    try:
        _insert(db, store.load(session_id), stamp)
    except (StoreError, ValueError, OSError) as exc:  # ValueError: a view whose grades and stamps disagree
        db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))  # and whatever of it was inserted
        db.execute(
            "INSERT INTO sessions (id, fingerprint, error) VALUES (?, ?, ?)", (session_id, stamp, load_error(exc))
        )
        return False
    return True


def _changes(db: sqlite3.Connection, current: dict[str, str]) -> tuple[list[str], list[str]]:
    """(sessions new or changed since indexed, indexed sessions no longer in the store)."""
    known = dict(db.execute("SELECT id, fingerprint FROM sessions").fetchall())
    return [sid for sid, stamp in current.items() if known.get(sid) != stamp], [
        sid for sid in known if sid not in current
    ]


def refresh(db: sqlite3.Connection, store: Store) -> RefreshResult:
    """Reindex what changed in the store since the last refresh."""
    current = store.stamps()
    if _changes(db, current) == ([], []):
        return RefreshResult(0, 0, 0)
    broken = 0
    db.execute("BEGIN IMMEDIATE")  # one writer; a second `review` waits, then finds the work done
    try:
        stale, gone = _changes(db, current)
        db.executemany("DELETE FROM sessions WHERE id = ?", [(sid,) for sid in gone])
        for sid in stale:
            broken += not _index_one(db, store, sid, current[sid])
        _changed(db)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return RefreshResult(len(stale), len(gone), broken)


def _changed(db: sqlite3.Connection) -> None:
    """A new content token (`queries.content_token`): whatever was derived from the old content is not reused."""
    db.execute("UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'content'")


def rebuild(db: sqlite3.Connection, store: Store) -> RefreshResult:
    """Forget everything and index every session again."""
    db.execute("BEGIN IMMEDIATE")
    db.execute("DELETE FROM sessions")
    _changed(db)
    db.execute("COMMIT")
    return refresh(db, store)


def open_index(store: Store) -> tuple[sqlite3.Connection, list[str]]:
    """The store's history database, refreshed; with notes for the user (e.g. it fell back to memory)."""
    db, problem = open_history(store.root)
    refresh(db, store)
    return db, [problem] if problem else []
