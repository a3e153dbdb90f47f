"""`review progress` as pictures: plotext charts in the terminal, pygal SVG charts in one self-contained page."""

from __future__ import annotations

import functools
import html
import json
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean

from interviewer import cache
from interviewer.practice.progress import ProgressData
from interviewer.text.safe import visible

CHART_HEIGHT = 14
PALETTE = ("blue", "red", "green", "orange", "magenta", "cyan")  # one per line, so topics tell apart
MAX_POINTS = 60  # more sessions than this: each point is the mean of consecutive sessions


@dataclass(frozen=True)
class Series:
    """The score lines as drawn: one point per session, or per group of `per_point` consecutive sessions."""

    labels: list[str]
    overall: list[int | None]
    topics: dict[str, list[int | None]]
    per_point: int

    @property
    def x_title(self) -> str:
        return "by session" if self.per_point == 1 else f"(each point: the mean of {self.per_point} sessions)"


def _mean(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return round(fmean(present)) if present else None


def series(data: ProgressData, max_points: int = MAX_POINTS) -> Series:
    size = -(-len(data.labels) // max_points) or 1  # ceiling: at most `max_points` points

    def grouped(values: list[int | None]) -> list[int | None]:
        return [_mean(values[n : n + size]) for n in range(0, len(values), size)]

    return Series(
        labels=data.labels[::size],
        overall=grouped(data.overall),
        topics={name: grouped(values) for name, values in data.topics.items()},
        per_point=size,
    )


def _points(values: list[int | None]) -> tuple[list[int], list[int]]:
    present = [(n, v) for n, v in enumerate(values, start=1) if v is not None]
    return [n for n, _ in present], [v for _, v in present]


@functools.cache
def _drawer_digest() -> str:
    """This code and plotext's, found without importing plotext (charts drawn before need none of it)."""
    return cache.cache_key(Path(__file__).read_bytes(), *cache.package_code("plotext"))


def _charts_entry(text: str) -> str:
    entry = json.loads(text)
    if not isinstance(entry, dict) or not isinstance(entry.get("charts"), str):
        raise ValueError("not a charts entry")
    return entry["charts"]


def terminal_charts(data: ProgressData, width: int) -> str:
    """The overall score over time, each topic's score over time, and item mastery (ANSI text); from the cache
    when the same charts were drawn before (plotext takes ~0.05 s to import and draw them)."""
    drawn = [data.labels, data.overall, data.topics, data.mastery, width]
    key = cache.cache_key(_drawer_digest(), json.dumps(drawn))
    dump = lambda charts: json.dumps({"charts": charts})  # noqa: E731
    return cache.through("charts", key, lambda: _draw(data, width), dump=dump, load=_charts_entry)


def _draw(data: ProgressData, width: int) -> str:
    import plotext as plt  # only here: `review` listings need no plotting library

    charts, drawn = [], series(data)
    ticks = list(range(1, len(drawn.labels) + 1))
    lines = (("Overall score", {"overall": drawn.overall}), ("Score by topic", drawn.topics))
    for title, by_name in lines:
        plt.clear_figure()
        plt.plotsize(width, CHART_HEIGHT)
        plt.theme("clear")
        for n, (name, values) in enumerate(by_name.items()):
            xs, ys = _points(values)
            plt.plot(xs, ys, label=visible(name), marker="braille", color=PALETTE[n % len(PALETTE)])
        plt.title(f"{title} {drawn.x_title}")
        plt.ylim(0, 100)
        plt.xlim(0.5, len(ticks) + 0.5)
        plt.xticks(ticks, drawn.labels if len(ticks) <= 6 else [str(t) for t in ticks])
        charts.append(plt.build())
    plt.clear_figure()
    plt.plotsize(width, 3 + 2 * len(data.mastery))
    plt.theme("clear")
    plt.bar(list(data.mastery), list(data.mastery.values()), orientation="horizontal", width=0.3)
    plt.title("Rubric items by mastery")
    charts.append(plt.build())
    return "\n".join(charts)


def html_page(data: ProgressData) -> str:
    """One page with the same charts as inline SVG (nothing loaded from elsewhere) and what to work on next."""
    import pygal
    from pygal.style import CleanStyle

    options = {"style": CleanStyle, "js": [], "disable_xml_declaration": True, "width": 800, "height": 360}
    drawn = series(data)
    overall = pygal.Line(title=f"Overall score {drawn.x_title}", range=(0, 100), **options)
    overall.x_labels = drawn.labels
    overall.add("overall", drawn.overall)
    topics = pygal.Line(title=f"Score by topic {drawn.x_title}", range=(0, 100), allow_interruptions=True, **options)
    topics.x_labels = drawn.labels
    for name, values in drawn.topics.items():
        topics.add(visible(name), values)
    mastery = pygal.HorizontalBar(title="Rubric items by mastery", **options)
    for state, count in data.mastery.items():
        mastery.add(state, count)
    figures = (f'<figure class="chart">{c.render(is_unicode=True)}</figure>' for c in (overall, topics, mastery))
    charts = "\n".join(figures)
    items = "\n".join(
        f"<li><strong>{html.escape(visible(i.name))}</strong> — drill <code>{html.escape(i.question_id)}</code>"
        f" ({html.escape(i.why)})</li>"
        for i in data.next_up
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>interviewer progress</title>'
        "<style>body{font-family:sans-serif;max-width:840px;margin:2em auto}figure{margin:1em 0}</style></head>"
        f'<body><h1>Progress</h1>\n{charts}\n<h2>Work on next</h2>\n<ol id="next">{items}</ol>\n</body></html>\n'
    )
