"""Open the history database for one transcripts folder: SQLite in WAL mode, in the user data directory."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from interviewer.history.schema import SchemaError, migrate
from interviewer.paths import user_data_dir


def database_path(transcripts_root: Path) -> Path:
    """One database per transcripts folder, named after the folder's absolute path."""
    key = hashlib.sha256(str(transcripts_root.resolve()).encode("utf-8")).hexdigest()[:16]
    return user_data_dir() / "history" / f"{key}.sqlite3"


def connect(path: Path | str) -> sqlite3.Connection:
    """A migrated connection; `:memory:` works too (when the data directory cannot be written)."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=10.0, isolation_level=None)  # explicit BEGIN/COMMIT only
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # an index: losing the last commit on power loss costs a refresh
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db)
    return db


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _corrupt(exc: Exception) -> bool:
    """Not a database, or one from a newer interviewer: it is only an index, so it is started again."""
    return isinstance(exc, SchemaError) or (
        isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
    )


def open_history(transcripts_root: Path) -> tuple[sqlite3.Connection, str | None]:
    """The database for this folder, or an in-memory one and the reason the file could not be used."""
    path = database_path(transcripts_root)
    try:
        return connect(path), None
    except (OSError, sqlite3.Error, SchemaError) as exc:
        problem: Exception = exc
    if _corrupt(problem):
        try:
            remove_database(path)
            return connect(path), None
        except (OSError, sqlite3.Error) as exc:
            problem = exc
    return connect(":memory:"), f"history database {path} unusable ({problem}); indexing in memory"
