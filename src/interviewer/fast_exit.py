"""Leave without litellm's teardown once everything is durable.

Importing litellm registers exit-time work (its logging worker's queue flush, a fresh event loop to
close async HTTP clients, garbage collection of its many module objects) that costs about a second
after the report is already written: measured with bench/exit_time.py. Nothing of ours needs
interpreter teardown: transcripts, reports and batch results are written atomically or appended
and fsynced before a command returns, no thread of ours is still running, and we register no exit
handlers. So when litellm was imported, `run` flushes stdout and stderr and ends the process with
`os._exit`; otherwise it exits normally. An uncaught exception is not swallowed: it propagates as
usual (with teardown).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import NoReturn


def exit_code(exc: SystemExit) -> int:
    """What the interpreter would exit with for `exc` (a message prints to stderr and exits 1)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def run(main: Callable[[], object]) -> NoReturn:
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exit_code(exc)
    if "litellm" not in sys.modules:
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)
