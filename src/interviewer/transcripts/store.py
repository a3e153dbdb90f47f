"""Durable storage: each session in its own folder, its event log the source of truth.

A folder holds `events.jsonl` (appended, fsynced), the views folded from it (`transcript.json`,
`report.md`, each written atomically) and `.lock` (held by the one process writing the session).
Ids are checked on every read and write, so no id can name a path outside the store.

The event, record and replay modules are imported where a session is read or written, not at import:
`review` lists sessions from the history database and only touches the paths here.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.transcripts.lock import SessionLock

if TYPE_CHECKING:
    from interviewer.transcripts.events import Event, Started
    from interviewer.transcripts.fold import Fold
    from interviewer.transcripts.log import EventLog
    from interviewer.transcripts.record import SessionRecord

EVENTS = "events.jsonl"
TRANSCRIPT = "transcript.json"
REPORT = "report.md"
LOCK = ".lock"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_NEW_ID_ATTEMPTS = 50


class StoreError(Exception):
    """One line a person can act on: what is wrong with which session or folder."""


class StoreWriteError(StoreError):
    """Something could not be written (disk full, read-only, not a folder ...)."""


def _is_id(name: str) -> bool:
    return bool(_ID.fullmatch(name)) and ".." not in name


def check_id(session_id: str) -> str:
    if not _is_id(session_id):
        raise StoreError(
            f"{session_id!r} is not a session id: ids are letters, digits, '-', '_' and '.' (no '/', '\\' or '..')"
        )
    return session_id


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@contextmanager
def writing(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise StoreWriteError(f"cannot write {path}: {_reason(exc)}") from exc


def atomic_write(path: Path, data: str) -> None:
    """Write `data` to `path` so that a crash leaves either the old or the new file, never half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    from interviewer.transcripts.log import fsync_dir

    fsync_dir(path.parent)


def new_session_id() -> str:
    return f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class SessionWriter:
    """The one open writer of a session: its lock and its log. Raises StoreWriteError when a write fails."""

    def __init__(self, lock: SessionLock, log: EventLog) -> None:
        self._lock = lock
        self._log = log

    def append(self, event: Event) -> None:
        with writing(self._log.path):
            self._log.append(event)

    def close(self) -> None:
        self._log.close()
        self._lock.release()


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root

    # -- paths ----------------------------------------------------------------------------------
    def folder(self, session_id: str) -> Path:
        return self.root / check_id(session_id)

    def events_path(self, session_id: str) -> Path:
        return self.folder(session_id) / EVENTS

    def transcript_path(self, session_id: str) -> Path:
        return self.folder(session_id) / TRANSCRIPT

    def report_path(self, session_id: str) -> Path:
        return self.folder(session_id) / REPORT

    # -- reading --------------------------------------------------------------------------------
    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        found = {p.parent.name for name in (EVENTS, TRANSCRIPT) for p in self.root.glob(f"*/{name}")}
        return sorted(i for i in found if _is_id(i))

    def stamps(self) -> dict[str, str]:
        """Each session's id and a stamp of the files it is read from (size and mtime of its log and its view):
        a changed stamp means the session may read differently. One directory scan and two stats a session."""
        stamps = {}
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return {}
        for entry in entries:
            if not (_is_id(entry.name) and entry.is_dir()):
                continue
            parts = []
            for name in (EVENTS, TRANSCRIPT):
                try:
                    stat = os.stat(os.path.join(entry.path, name))
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    parts.append(f"{name}:unreadable: {exc.strerror}")
                    continue
                parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
            if parts:
                stamps[entry.name] = ";".join(parts)
        return dict(sorted(stamps.items()))

    def resolve(self, ref: str) -> str:
        """The session id `ref` names, exactly or as a unique prefix."""
        check_id(ref)
        if any((self.root / ref / name).is_file() for name in (EVENTS, TRANSCRIPT)):
            return ref  # an exact id: no need to list the store
        ids = self.ids()
        matches = [i for i in ids if i.startswith(ref)]
        if not matches:
            raise StoreError(f"no session {ref!r} in {self.root}")
        if len(matches) > 1:
            shown = ", ".join(matches[:8]) + (", ..." if len(matches) > 8 else "")
            raise StoreError(f"{ref!r} matches {len(matches)} sessions: {shown}; give more of the id")
        return matches[0]

    def events(self, session_id: str) -> list[Event]:
        """The session's events (a 0.1.0 transcript migrated in memory). Never writes."""
        from interviewer.transcripts.events import Started
        from interviewer.transcripts.log import LogError, read_events
        from interviewer.transcripts.migrate import events_from_v1

        try:
            if (path := self.events_path(session_id)).exists():
                events = read_events(path)
            elif (legacy := self.transcript_path(session_id)).exists():
                events = events_from_v1(legacy.read_text(encoding="utf-8"))
            else:
                raise StoreError(f"no session {session_id!r} in {self.root}")
        except LogError as exc:
            raise StoreError(f"session {session_id} cannot be read: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = _reason(exc) if isinstance(exc, OSError) else "not UTF-8 text"
            raise StoreError(f"session {session_id} cannot be read: {reason}") from None
        started = events[0]
        assert isinstance(started, Started)
        if started.id != session_id:
            raise StoreError(f"session {session_id} cannot be read: its log names another session ({started.id!r})")
        return events

    def load(self, session_id: str) -> SessionRecord:
        """The folded record of the session `session_id` names (an id or a unique prefix)."""
        session_id = self.resolve(session_id)
        return self._current_view(session_id) or self._fold(session_id, self.events(session_id)).record

    def _current_view(self, session_id: str) -> SessionRecord | None:
        """transcript.json when this version folded it from the log as it is now (the log only grows), else None."""
        from interviewer.transcripts.record import SCHEMA_VERSION, SessionRecord

        try:
            size = self.events_path(session_id).stat().st_size
            record = SessionRecord.model_validate_json(self.transcript_path(session_id).read_bytes())
        except (OSError, ValueError):
            return None
        current = record.log_bytes == size and record.schema_version == SCHEMA_VERSION
        return record if current and record.id == session_id else None

    @staticmethod
    def _fold(session_id: str, events: list[Event]) -> Fold:
        from interviewer.transcripts.fold import Fold

        try:
            return Fold.of(events)
        except Exception as exc:  # a log this engine cannot replay: say so, never a traceback
            raise StoreError(f"session {session_id} cannot be replayed: {type(exc).__name__}: {exc}") from None

    def scan(self) -> tuple[list[SessionRecord], list[tuple[str, str]]]:
        """Every readable session, and (id, reason) for each one that is not."""
        records, broken = [], []
        for session_id in self.ids():
            try:
                records.append(self.load(session_id))
            except StoreError as exc:
                broken.append((session_id, str(exc)))
        return records, broken

    def all(self) -> list[SessionRecord]:
        return self.scan()[0]

    def latest_unfinished(self) -> SessionRecord | None:
        from interviewer.engine.state import SessionStatus

        unfinished = [r for r in self.all() if r.status is not SessionStatus.finished]
        return max(unfinished, key=lambda r: r.updated_at, default=None)

    # -- writing --------------------------------------------------------------------------------
    def _ensure_root(self) -> None:
        root = self.root
        if root.is_symlink() and not root.exists():
            target = os.readlink(root)
            raise StoreWriteError(f"cannot save sessions in {root}: it is a symlink to {target}, which is missing")
        if root.exists() and not root.is_dir():
            raise StoreWriteError(f"cannot save sessions in {root}: it is a file, not a folder")
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreWriteError(f"cannot create the transcripts folder {root}: {_reason(exc)}") from exc

    def create(self, started_for: Callable[[str], Started]) -> tuple[SessionWriter, Started]:
        """A new session folder (never an existing one), locked, its log begun with `started_for(id)`."""
        self._ensure_root()
        for _ in range(_NEW_ID_ATTEMPTS):
            session_id = new_session_id()
            try:
                os.mkdir(self.folder(session_id))
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise StoreWriteError(f"cannot create a session folder in {self.root}: {_reason(exc)}") from exc
        else:
            raise StoreWriteError(f"cannot find a free session id in {self.root}")
        from interviewer.transcripts.log import EventLog

        started = started_for(session_id)
        lock = SessionLock(self.folder(session_id) / LOCK)
        with writing(self.events_path(session_id)):
            lock.acquire(f"session {session_id}")
            try:
                log = EventLog.create(self.events_path(session_id), [started])
            except BaseException:
                lock.release()
                raise
        return SessionWriter(lock, log), started

    def check_free(self, session_id: str) -> None:
        """Raise SessionBusy when another process has the session open (its lock taken for a moment, then let
        go). A folder that is missing or cannot be written passes: reading or writing it says so."""
        probe = SessionLock(self.folder(session_id) / LOCK)
        try:
            probe.acquire(f"session {session_id}")
        except OSError:
            return
        probe.release()

    def open(self, session_id: str) -> tuple[SessionWriter, Fold]:
        """Lock an existing session for writing; its fold, read under the lock. A 0.1.0 session gets its log."""
        from interviewer.transcripts.log import EventLog

        session_id = self.resolve(session_id)
        self._fold(session_id, self.events(session_id))  # a broken log fails here, before anything is written
        lock = SessionLock(self.folder(session_id) / LOCK)
        with writing(self.folder(session_id) / LOCK):
            lock.acquire(f"session {session_id}")
        try:
            events = self.events(session_id)
            fold = self._fold(session_id, events)
            path = self.events_path(session_id)
            with writing(path):
                log = EventLog.open(path) if path.exists() else EventLog.create(path, events)
        except BaseException:
            lock.release()
            raise
        return SessionWriter(lock, log), fold

    def save(self, record: SessionRecord) -> None:
        """Write the `transcript.json` view of a folded record (call it with no append in between)."""
        path = self.transcript_path(record.id)
        with writing(path):
            record.log_bytes = self.events_path(record.id).stat().st_size
            atomic_write(path, record.model_dump_json(indent=2))

    def save_report(self, record: SessionRecord, markdown: str) -> Path:
        path = self.report_path(record.id)
        with writing(path):
            atomic_write(path, markdown)
        return path
