"""When the store cannot take an answer (disk full, read-only), the answer goes to a file elsewhere."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def keep_unsaved(session_id: str, what: str, text: str) -> Path | None:
    """Write `text` to a private file in the temp dir (else the home dir); its path, or None if both fail."""
    name = f"interviewer-unsaved-{session_id}-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    body = f"Not saved in session {session_id} ({what}); copy it back by hand if you need it.\n\n{text}\n"
    for folder in (Path(tempfile.gettempdir()), Path.home()):
        path = folder / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
                handle.write(body)
        except OSError:
            continue
        return path
    return None
