"""The Markdown report a person reads after the interview."""

from __future__ import annotations

from interviewer.bank.models import Question, Round
from interviewer.engine.state import QuestionRun
from interviewer.grading.models import GradePath, QuestionGrade
from interviewer.grading.stronger import priority
from interviewer.text.delivery import analyse
from interviewer.text.plural import plural
from interviewer.text.safe import markdown_text
from interviewer.transcripts.record import SessionRecord
from interviewer.transcripts.stronger import coaching

WORK_ON_FIRST = 3  # rubric items the report puts first
SCORED_WELL = 67  # from this question score, the report says what would make the answer excellent
ANCHORS = "0 missing or wrong · 1 named only · 2 explained correctly · 3 explained with trade-offs or specifics"


def _cell(text: str) -> str:
    """Untrusted text as one literal table cell."""
    return markdown_text(" ".join(text.split()))


def _text(items: list[str]) -> str:
    return "; ".join(markdown_text(" ".join(item.split())) for item in items)


def _conversation(run: QuestionRun) -> list[str]:
    """Each turn quoted: candidate and model text are escaped, so they cannot change the report's structure."""
    lines = []
    for turn in run.turns:
        who = "**Interviewer:**" if turn.role == "interviewer" else "**You:**"
        body = " ".join(turn.text.split()) if turn.role == "interviewer" else turn.text.strip()
        quoted = "\n> ".join(markdown_text(line) for line in body.splitlines()) if body else "(no answer)"
        lines.append(f"> {who} {quoted}\n")
    return lines


def _delivery(question: Question, run: QuestionRun) -> str | None:
    """Pace from the first answer (the one with a target length); fillers and STAR shape over all of them."""
    answers = [a for a in run.answers() if a.strip()]
    if not answers:
        return None
    first = analyse(answers[0], behavioral=False).lines()[0]
    overall = analyse("\n\n".join(answers), behavioral=question.round is Round.behavioral)
    span = f" Over all {len(answers)} answers ({overall.words} words):" if len(answers) > 1 else ""
    return " ".join(["**Delivery:**", f"first answer {first[0].lower()}{first[1:]}{span}", *overall.lines()[1:]])


def _excellent(grade: QuestionGrade) -> str | None:
    """For an answer that scored well: the items short of 3, which trade-offs or specifics would lift."""
    if grade.kind != "ok" or grade.score < SCORED_WELL:
        return None
    short = [i.name for i in sorted(grade.items, key=lambda i: -i.weight) if i.score < 3]
    if not short:
        return None
    return "**To make it excellent:** add a trade-off, a number or a production detail on " + _text(short) + "."


def _work_on_first(record: SessionRecord) -> list[str]:
    """The items to practise first: weighted by item weight and how far below 2 ("explained") they scored."""
    gaps = [
        (priority(item), n, question_id, item)
        for n, question_id in enumerate(record.completed_ids())
        if (grade := record.grades.get(question_id))
        for item in grade.items
        if item.score < 2
    ]
    top = sorted(gaps, key=lambda gap: (-gap[0], gap[1]))[:WORK_ON_FIRST]
    if not top:
        return []
    lines = ["## Work on these first", ""]
    for rank, (_, _, question_id, item) in enumerate(top, start=1):
        lines.append(f"{rank}. **{_cell(item.name)}** — `{question_id}`, scored {item.score}/3 (weight {item.weight})")
    lines.extend(["", "`interviewer drill` brings these back when they are due.", ""])
    return lines


def _rounds(record: SessionRecord) -> list[str]:
    """A multi-round loop: each round's questions and average score."""
    segments = record.engine.segments
    if len(set(segments)) < 2:
        return []
    lines = ["## By round", "", "| Round | Answered | Score |", "|---|---:|---:|"]
    done = set(record.completed_ids())
    for name in dict.fromkeys(segments):
        ids = [q for q, seg in zip(record.engine.plan, segments, strict=True) if seg == name]
        scores = [record.grades[q].score for q in ids if q in done and q in record.grades]
        average = f"{round(sum(scores) / len(scores))}/100" if scores else "—"
        lines.append(f"| {_cell(name.replace('_', ' '))} | {len(scores)} of {len(ids)} | {average} |")
    lines.append("")
    return lines


def _grade_section(
    grade: QuestionGrade, previous: QuestionGrade | None = None, delivery: str | None = None, coached: list[str] = ()
) -> list[str]:
    out = []
    if grade.kind != "ok" or grade.skipped:
        label = grade.kind.value.replace("_", " ")
        if grade.skipped and grade.kind == "empty":
            label = "skipped"
        elif "instructions_to_grader_removed" in grade.flags and grade.kind == "empty":
            label = "only instructions to the grader, which are not graded"
        out.append(f"Screened before grading: **{label}**.\n")
    out.append("| Rubric item | Weight | Score | Evidence (your words) | Why |")
    out.append("|---|---:|---:|---|---|")
    before = {i.item_id: i.score for i in previous.items} if previous else {}
    for item in grade.items:
        evidence = " · ".join(f"“{_cell(q)}”" for q in item.evidence) or "—"
        score = f"{item.score}/3" + (f" (was {before[item.item_id]}/3)" if item.item_id in before else "")
        out.append(f"| {_cell(item.name)} | {item.weight} | {score} | {evidence} | {_cell(item.reason)} |")
    out.append("")
    if grade.strengths:
        out.append("**Strong:** " + _text(grade.strengths) + ".")
    if grade.missing and not coached:  # the coaching names each of them, most important first
        out.append("**Missing or thin:** " + _text(grade.missing) + ".")
    if grade.red_flags:
        out.append("**Red flags:** " + _text(grade.red_flags) + ".")
    for cap in grade.caps:  # "score capped at 40: the answer states a red flag ..."
        head, _, why = cap.partition(": ")
        out.append(f"**{_text([head]).capitalize()}:** {_text([why])}.")
    if grade.flags:
        out.append("**Flags:** " + "; ".join(f.replace("_", " ") for f in grade.flags) + ".")
    if grade.hints_used:
        out.append(f"**Hints:** {grade.hints_used} taken, -{grade.hint_penalty} points.")
    if excellent := _excellent(grade):
        out.append(excellent)
    out.append("")
    if grade.strong_answer:
        out.append("**A strong answer covers:**\n")
        out.extend(f"- {_cell(line)}" for line in grade.strong_answer)
        out.append("")
    out.extend(coached)
    if delivery:
        out.extend([delivery, ""])
    if grade.path is GradePath.guard:
        out.append("<sub>Screened by the deterministic guard; no grader was asked.</sub>\n")
    else:
        out.append(f"<sub>Graded by {_cell(grade.grader)} ({grade.path.value.replace('_', ' ')}).</sub>\n")
    return out


def render_report(record: SessionRecord) -> str:
    overall = record.overall_score()
    engine = record.engine
    answered = len(record.completed_ids())
    lines = [
        f"# Mock interview — {record.options.round.replace('_', ' ')}, {record.options.level} level",
        "",
        f"- Session: `{record.id}` · {record.created_at[:16].replace('T', ' ')} UTC",
        f"- Overall: **{overall if overall is not None else '—'}/100** over {answered} of "
        f"{plural(len(engine.plan), 'question')}" + (" (ended early)" if engine.ended_early else ""),
        f"- Interviewer: `{record.engines.interviewer}` · Grader: `{record.engines.grader}`",
        f"- Scale per rubric item: {ANCHORS}",
        "",
        "| # | Question | Topic | Score |",
        "|---:|---|---|---:|",
    ]
    for n, run in enumerate(engine.runs, start=1):
        question = record.question(run.question_id)
        grade = record.grades.get(run.question_id)
        score = f"{grade.score}/100" if grade else run.status.value
        lines.append(f"| {n} | {_cell(question.question)} | {_cell(question.topic)} | {score} |")
    lines.append("")
    lines.extend(_rounds(record))
    lines.extend(_work_on_first(record))
    for n, run in enumerate(engine.runs, start=1):
        if not run.turns:
            continue
        question = record.question(run.question_id)
        grade = record.grades.get(run.question_id)
        previous = record.previous_grade(run.question_id)
        title = f"## {n}. {question.id} — {grade.score}/100" if grade else f"## {n}. {question.id}"
        if grade and previous:
            title += f" (previous grade {previous.score}/100 by {previous.grader})"
        lines.extend([title, "", f"*{question.round.value.replace('_', ' ')} · {question.difficulty.value}*", ""])
        lines.extend(_conversation(run))
        if grade:
            coached = coaching(question, grade, run.answers(), record.options.level)
            lines.extend(_grade_section(grade, previous, _delivery(question, run), coached))
    prompt_tokens, completion_tokens, cost = record.token_totals()
    cost_text = f"${cost:.4f}" if cost is not None else "n/a"
    lines.extend(
        [
            "---",
            "",
            f"Bank `{record.bank_version}` · interviewer v{record.app_version} · tokens {prompt_tokens} in / "
            f"{completion_tokens} out · cost {cost_text}",
            "",
            "Prompt versions: " + ", ".join(f"`{name}` {digest}" for name, digest in record.prompt_hashes.items()),
            "",
        ]
    )
    return "\n".join(lines)
