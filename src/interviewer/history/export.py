"""Write the history (one row per rubric item grade) as CSV or JSON lines, for spreadsheets and scripts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from interviewer.history.queries import EXPORT_COLUMNS

FORMATS = ("csv", "jsonl")
# A spreadsheet runs a cell that starts with one of these as a formula: a rubric item named
# "=HYPERLINK(...)" in someone's pack must stay text. CSV cells get a leading apostrophe; JSON lines stay exact.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def write_export(rows: Iterable[dict[str, object]], out: TextIO, fmt: str) -> int:
    """Write the rows to `out`; returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _as_text(value) for key, value in row.items()})
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (use {' or '.join(FORMATS)})")
    return count
