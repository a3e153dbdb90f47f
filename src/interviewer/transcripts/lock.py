"""One writer per session: an OS file lock (flock) held for the session's whole run.

The holder writes its pid into the lock file so a second process can say who has it. The kernel
drops the lock when the holder exits, however it exits (kill -9 included), so a lock never goes stale.
(`filelock` truncates the file when it tries to lock, which would erase the holder's pid.)
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class SessionBusy(Exception):
    pass


class SessionLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, what: str) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise SessionBusy(
                f"{what} is open elsewhere (pid {holder or 'unknown'}); finish or close it there first"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
