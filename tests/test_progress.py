"""`review progress` as pictures: terminal charts, item mastery and what to work on next; the same as a page
that a real headless Chromium renders."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tests.helpers import blocks, run_cli, sessions, transcript

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest.fixture
def history(transcripts: Path) -> Path:
    """Two sessions on the built-in bank (the one `review progress` suggests questions from)."""
    for seed in (1, 2):
        args = ("start", "--transcripts-dir", str(transcripts), "-n", "2", "--seed", str(seed))
        result = run_cli(*args, input=blocks("I would look at the data first, then pick a baseline.", *["/skip"] * 4))
        assert result.exit_code == 0, result.output
    return transcripts


def _progress(transcripts: Path, *args: str):
    result = run_cli("review", "progress", "--transcripts-dir", str(transcripts), *args)
    assert "Traceback" not in result.output
    return result


def test_progress_draws_scores_over_time_mastery_and_what_to_work_on_next(history: Path) -> None:
    result = _progress(history)
    assert result.exit_code == 0, result.output
    for title in ("Overall score by session", "Score by topic", "Rubric items by mastery"):
        assert title in result.output
    assert "┤" in result.output  # a drawn axis, not only a table
    mastery = next(line for line in result.output.splitlines() if line.startswith("Rubric items: "))
    counts = [int(part.split()[0]) for part in mastery.removeprefix("Rubric items: ").split(" · ")]
    assert len(counts) == 3
    next_up = result.output.split("Work on next:")[1].strip().splitlines()
    assert [line[:2] for line in next_up[:3]] == ["1.", "2.", "3."]
    records = [transcript(folder) for folder in sessions(history)]
    graded = {(q, i["item_id"]) for r in records for q, g in r["grades"].items() for i in g["items"]}
    assert sum(counts) == len(graded)
    asked = {q for q, _ in graded}
    for line in next_up[:3]:
        assert any(f" — {q} (" in line for q in asked), line


def test_progress_with_no_history_or_only_broken_sessions_says_so_in_one_line(transcripts: Path) -> None:
    empty = _progress(transcripts)
    assert empty.exit_code == 0 and "No history yet" in empty.output
    broken = transcripts / "20260301-090000-dead"
    broken.mkdir(parents=True)
    (broken / "transcript.json").write_text("{ not json")
    result = _progress(transcripts)
    assert result.exit_code == 1
    assert "no graded answers" in result.output and "history rebuild" in result.output


def test_the_progress_page_is_self_contained(history: Path, tmp_path: Path) -> None:
    page = tmp_path / "progress.html"
    assert _progress(history, "--html", str(page)).exit_code == 0
    text = page.read_text()
    assert text.count("<svg") == 3
    assert "src=" not in text and "<link" not in text  # no script, image or style from elsewhere


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_the_progress_page_renders_in_headless_chromium(history: Path, tmp_path: Path) -> None:
    page, shot = tmp_path / "progress.html", tmp_path / "shot.png"
    assert _progress(history, "--html", str(page)).exit_code == 0
    command = [
        "chromium", *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
        f"--screenshot={shot}", "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=180, check=True).stdout
    assert _png_size(shot) == (1000, 1400)
    assert shot.stat().st_size > 20_000  # drawn charts, not a blank page
    assert dom.count('class="pygal-chart"') == 3
    assert dom.count("<path") > 3 or dom.count("<rect") > 3  # the plotted series
    assert "Work on next" in dom


def test_a_long_history_is_drawn_as_means_of_consecutive_sessions() -> None:
    from interviewer.practice.progress import ProgressData
    from interviewer.ui.progress_charts import series, terminal_charts

    count = 130  # more sessions than the chart has points for
    data = ProgressData(
        labels=[f"2026-{n:03d}" for n in range(count)],
        overall=[n % 90 for n in range(count)],
        topics={"ml": [None if n < 6 else 70 for n in range(count)]},  # the topic was first asked in session 7
        mastery={"due": 1, "learning": 2, "solid": 3},
        next_up=[],
    )
    drawn = series(data)
    assert drawn.per_point == 3 and len(drawn.overall) == 44  # 130 sessions in groups of 3, the last one short
    assert drawn.overall[:2] == [1, 4] and drawn.labels[:2] == ["2026-000", "2026-003"]
    assert drawn.topics["ml"][:3] == [None, None, 70]
    assert "Overall score (each point: the mean of 3 sessions)" in terminal_charts(data, 100)


def _scores(overall: list[int]):
    from interviewer.practice.progress import ProgressData

    labels = [f"03-{n + 1:02d} 09:00" for n in range(len(overall))]
    return ProgressData(labels, overall, {"ml": overall}, {"due": 1, "learning": 0, "solid": 2}, [])


def test_charts_drawn_before_come_from_the_cache_and_a_new_score_is_drawn_anew(tmp_path, monkeypatch) -> None:
    from interviewer.ui import progress_charts

    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    first = progress_charts.terminal_charts(_scores([40, 55, 70]), 80)
    draw = progress_charts._draw
    monkeypatch.setattr(progress_charts, "_draw", lambda *a: pytest.fail("drawn again"))
    assert progress_charts.terminal_charts(_scores([40, 55, 70]), 80) == first
    monkeypatch.setattr(progress_charts, "_draw", draw)
    changed = progress_charts.terminal_charts(_scores([40, 55, 90]), 80)
    assert changed != first and len(list((tmp_path / "cache" / "charts").glob("*.json"))) == 2


def test_a_damaged_cached_chart_is_drawn_again(tmp_path, monkeypatch) -> None:
    from interviewer.ui import progress_charts

    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    first = progress_charts.terminal_charts(_scores([10, 20]), 80)
    [entry] = (tmp_path / "cache" / "charts").glob("*.json")
    entry.write_text('{"charts": 3')
    assert progress_charts.terminal_charts(_scores([10, 20]), 80) == first
