"""`events.jsonl`: an append-only file of events, each append written whole and fsynced before it counts.

A kill -9 mid-append leaves at most one unterminated last line. Reading stops at the last complete
line; opening the log to append cuts that fragment off first, so the next event starts on a clean line.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from pydantic import ValidationError

from interviewer.transcripts.events import EVENT_ADAPTER, EVENT_VERSION, Event, Started


class LogError(Exception):
    """The log cannot be read as events: corrupted, of an unknown version, or not a session."""


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def complete_part(data: bytes) -> bytes:
    """The bytes up to and including the last newline: what a crash mid-append cannot have touched."""
    return data[: data.rfind(b"\n") + 1]


def _problem(line: bytes, number: int, name: str) -> str:
    """Why a line is not an event this version reads (the slow path, only for a line that failed)."""
    try:
        raw = json.loads(line)
    except ValueError:
        return f"{name} line {number} is not JSON (the file is corrupted)"
    version = raw.get("v") if isinstance(raw, dict) else None
    if not isinstance(version, int) or version > EVENT_VERSION:
        return (
            f"{name} line {number} has event version {version!r}; this interviewer reads up to {EVENT_VERSION}"
            " (upgrade interviewer)"
        )
    try:
        EVENT_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "event"
        return f"{name} line {number}: {where}: {problem['msg']}"
    return f"{name} line {number} cannot be read"


def parse_events(data: bytes, name: str = "events.jsonl") -> list[Event]:
    events: list[Event] = []
    for number, line in enumerate(complete_part(data).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = EVENT_ADAPTER.validate_json(line)
        except ValidationError:
            raise LogError(_problem(line, number, name)) from None
        if event.v > EVENT_VERSION:
            raise LogError(_problem(line, number, name))
        events.append(event)
    if not events or not isinstance(events[0], Started):
        raise LogError(f"{name} does not begin with a 'started' event")
    if any(isinstance(e, Started) for e in events[1:]):
        raise LogError(f"{name} has more than one 'started' event")
    return events


def read_events(path: Path) -> list[Event]:
    return parse_events(path.read_bytes(), path.name)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class EventLog:
    """An open log that events are appended to."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def create(cls, path: Path, events: list[Event]) -> EventLog:
        """A new log holding `events` (written to a temporary file first, then renamed into place)."""
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(fd, b"".join(_line(e) for e in events))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
        return cls.open(path)

    @classmethod
    def open(cls, path: Path) -> EventLog:
        """Open an existing log to append, first cutting off an unterminated last line."""
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
        try:
            size = os.fstat(fd).st_size
            data = os.pread(fd, size, 0)
            keep = len(complete_part(data))
            if keep != size:
                os.ftruncate(fd, keep)
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd)

    def append(self, event: Event) -> None:
        """Returns once the event is on disk."""
        if self._fd is None:
            raise ValueError("the log is closed")
        before = os.fstat(self._fd).st_size
        try:
            _write_all(self._fd, _line(event))
            os.fsync(self._fd)
        except OSError:
            with contextlib.suppress(OSError):  # leave no fragment for a later append to follow
                os.ftruncate(self._fd, before)
            raise

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _line(event: Event) -> bytes:
    return (event.model_dump_json() + "\n").encode("utf-8")
