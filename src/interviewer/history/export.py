"""Write the history (one row per rubric item grade) as CSV or JSON lines, for spreadsheets and scripts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from interviewer.history.queries import EXPORT_COLUMNS

FORMATS = ("csv", "jsonl")


def write_export(rows: Iterable[dict[str, object]], out: TextIO, fmt: str) -> int:
    """Write the rows to `out`; returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (use {' or '.join(FORMATS)})")
    return count
