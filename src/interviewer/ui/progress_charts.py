"""`review progress` as pictures: plotext charts in the terminal, pygal SVG charts in one self-contained page."""

from __future__ import annotations

import html

from interviewer.practice.progress import ProgressData
from interviewer.text.safe import visible

CHART_HEIGHT = 14
PALETTE = ("blue", "red", "green", "orange", "magenta", "cyan")  # one per line, so topics tell apart


def _points(values: list[int | None]) -> tuple[list[int], list[int]]:
    present = [(n, v) for n, v in enumerate(values, start=1) if v is not None]
    return [n for n, _ in present], [v for _, v in present]


def terminal_charts(data: ProgressData, width: int) -> str:
    """The overall score over time, each topic's score over time, and item mastery (ANSI text)."""
    import plotext as plt  # only here: `review` listings need no plotting library

    charts = []
    ticks = list(range(1, len(data.labels) + 1))
    for title, series in (("Overall score by session", {"overall": data.overall}), ("Score by topic", data.topics)):
        plt.clear_figure()
        plt.plotsize(width, CHART_HEIGHT)
        plt.theme("clear")
        for n, (name, values) in enumerate(series.items()):
            xs, ys = _points(values)
            plt.plot(xs, ys, label=visible(name), marker="braille", color=PALETTE[n % len(PALETTE)])
        plt.title(title)
        plt.ylim(0, 100)
        plt.xlim(0.5, len(ticks) + 0.5)
        plt.xticks(ticks, data.labels if len(ticks) <= 6 else [str(t) for t in ticks])
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
    overall = pygal.Line(title="Overall score by session", range=(0, 100), **options)
    overall.x_labels = data.labels
    overall.add("overall", data.overall)
    topics = pygal.Line(title="Score by topic", range=(0, 100), allow_interruptions=True, **options)
    topics.x_labels = data.labels
    for name, values in data.topics.items():
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
