"""Durable storage: each session in its own folder, JSON rewritten atomically every turn."""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
from datetime import datetime
from pathlib import Path

from interviewer.engine.state import SessionStatus
from interviewer.transcripts.record import SessionRecord, utc_now

TRANSCRIPT = "transcript.json"
REPORT = "report.md"


class StoreError(Exception):
    pass


def atomic_write(path: Path, data: str) -> None:
    """Write `data` to `path` so that a crash leaves either the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def new_session_id() -> str:
    return f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def folder(self, session_id: str) -> Path:
        return self.root / session_id

    def transcript_path(self, session_id: str) -> Path:
        return self.folder(session_id) / TRANSCRIPT

    def report_path(self, session_id: str) -> Path:
        return self.folder(session_id) / REPORT

    def save(self, record: SessionRecord) -> None:
        with self._lock:
            record.updated_at = utc_now()
            atomic_write(self.transcript_path(record.id), record.model_dump_json(indent=2))

    def save_report(self, record: SessionRecord, markdown: str) -> Path:
        path = self.report_path(record.id)
        with self._lock:
            atomic_write(path, markdown)
        return path

    def load(self, session_id: str) -> SessionRecord:
        path = self.transcript_path(session_id)
        if not path.exists():
            matches = [p for p in self.ids() if p.startswith(session_id)]
            if len(matches) != 1:
                raise StoreError(f"no session {session_id!r} in {self.root}")
            path = self.transcript_path(matches[0])
        return SessionRecord.model_validate_json(path.read_text(encoding="utf-8"))

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob(f"*/{TRANSCRIPT}"))

    def all(self) -> list[SessionRecord]:
        records = []
        for session_id in self.ids():
            try:
                records.append(self.load(session_id))
            except (ValueError, OSError):
                continue
        return records

    def latest_unfinished(self) -> SessionRecord | None:
        unfinished = [r for r in self.all() if r.status is not SessionStatus.finished]
        return max(unfinished, key=lambda r: r.updated_at, default=None)
