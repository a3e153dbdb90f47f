"""The report says what a stronger answer would add at the candidate's level, and on the LLM path shows the grader
model's rewrite of the candidate's own answer, marked as model-written; a rewrite that fails a check is left out."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import respx

from interviewer.backends.chat import Messages
from interviewer.backends.fake import FunctionModel
from interviewer.backends.llm import LLMGrader
from interviewer.backends.offline import OfflineGrader
from interviewer.backends.rewrite import MAX_REWRITE_CHARS
from interviewer.bank.loader import Bank
from interviewer.commands.interview import StartOptions, prepare_session
from interviewer.grading.grade import grade_question
from interviewer.grading.stronger import strengthen
from interviewer.settings import GraderModelSettings
from interviewer.text.safe import markdown_text
from interviewer.transcripts.report import render_report
from interviewer.transcripts.store import Store
from interviewer.transcripts.stronger import coaching
from tests import answers
from tests.conftest import FIXTURES, PACK
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript
from tests.llm_mocks import ADDED, OPENAI_URL, FakeModel, fenced, good_grades, kind_of, request_text
from tests.test_listening import Scripted

SECTION = "**What a stronger answer would add"
MADE_STRONGER = "**Your answer, made stronger**"
METRICS = "Chooses metrics that stay honest when positives are rare"
RESAMPLING = "Rebalances the training data correctly"
COST = "Ties the threshold to the cost of each error type"
COST_LINE = "Pick the operating threshold from the business cost of each error type."
REWRITE = (
    "I'd look at precision and recall instead of accuracy, and use class weights when training, applied only to"
    " the training split after splitting so nothing leaks. Then I'd pick the decision threshold on validation data"
    " from the cost of a missed positive against a false alarm."
)


def offline_report(transcripts: Path, level: str, *typed: str) -> str:
    args = ("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "--topic", "imbalanced-data", "--repeat")
    before = set(sessions(transcripts))
    result = run_cli(*args, "--level", level, input=blocks(*typed, "/skip"))
    assert result.exit_code == 0, result.output
    [new] = set(sessions(transcripts)) - before  # ids started in the same second do not sort by time
    return (new / "report.md").read_text()


def stronger_section(report: str) -> list[str]:
    """The section's lines, from its heading to the next bold heading or sub-line."""
    lines = report.split(SECTION, 1)[1].splitlines()[1:]
    return [line for line in lines[: next(i for i, x in enumerate(lines) if x.startswith(("**", "<sub>")))] if line]


def test_a_weak_answer_is_told_the_most_important_gaps_first_each_with_the_line_that_covers_it(
    transcripts: Path,
) -> None:
    section = stronger_section(offline_report(transcripts, "mid", answers.WRONG_IMBALANCE))
    # metrics (weight 3, 0/3) and the threshold (weight 3, 0/3) before resampling (weight 2, capped at 1/3)
    assert section[:3] == [
        f"1. **{METRICS}** (scored 0/3): Accuracy hides failure on rare classes; use precision, recall and PR-AUC.",
        f"2. **{COST}** (scored 0/3): {COST_LINE}",
        f"3. **{RESAMPLING}** (scored 1/3): Resample or weight the loss on the training split only, after splitting.",
    ]


def test_a_partial_answer_is_told_only_what_it_missed_or_only_named(transcripts: Path) -> None:
    report = offline_report(transcripts, "mid", answers.PARTIAL_IMBALANCE)
    assert MADE_STRONGER not in report  # offline: no model, no rewrite
    section = "\n".join(stronger_section(report))
    assert f"1. **{COST}** (scored 0/3): {COST_LINE}" in section
    assert f"2. **{RESAMPLING}** (scored 1/3)" in section
    assert METRICS not in section  # precision and recall instead of accuracy: explained, nothing to add


def test_the_gaps_are_named_once_in_the_coaching_not_again_as_missing(transcripts: Path) -> None:
    report = offline_report(transcripts, "mid", answers.PARTIAL_IMBALANCE)
    assert SECTION in report
    assert "**Missing or thin:**" not in report


def test_a_perfect_answer_gets_no_stronger_answer_section(transcripts: Path) -> None:
    report = offline_report(transcripts, "senior", answers.STRONG_IMBALANCE)
    assert "100/100" in report
    assert SECTION not in report and MADE_STRONGER not in report


def test_the_level_changes_what_a_stronger_answer_would_add_beyond_the_rubric(transcripts: Path) -> None:
    junior = stronger_section(offline_report(transcripts, "junior", answers.PARTIAL_IMBALANCE))
    senior = stronger_section(offline_report(transcripts, "senior", answers.PARTIAL_IMBALANCE))
    assert junior[:2] == senior[:2]  # the same rubric gaps, in the same order
    assert junior[-1] == "A junior answer would also cover: why each step matters, not only what it is."
    assert senior[-1] == (
        "A senior answer would also cover: how it fails in production and how you would detect it and recover;"
        " what you would measure to know it works, with a target."
    )


def test_the_level_asks_only_for_what_the_answer_does_not_show_already(transcripts: Path) -> None:
    watched = answers.PARTIAL_IMBALANCE + " After launch I'd monitor recall on a dashboard and alert on drift."
    senior = stronger_section(offline_report(transcripts, "senior", watched))[-1]
    assert "what you would measure" in senior
    assert "how it fails in production" not in senior


def test_a_level_line_that_a_listed_gap_already_asks_for_is_not_repeated(transcripts: Path) -> None:
    senior = stronger_section(offline_report(transcripts, "senior", answers.WRONG_IMBALANCE))
    assert senior[0].startswith(f"1. **{METRICS}**")
    assert "what you would measure" not in senior[-1]  # choosing the metrics is the first gap
    assert "trade-offs weighed against the business goal" not in senior[-1]  # so is the cost of each error


def test_a_strong_answer_line_that_covers_two_gaps_is_quoted_once(bank: Bank) -> None:
    question = bank.get("imbalanced-data")
    one_line = question.model_copy(update={"strong_answer": [" ".join(question.strong_answer)]})
    grade, _ = grade_question(one_line, [answers.DONT_KNOW], OfflineGrader())
    listed = [line for line in coaching(one_line, grade, [answers.DONT_KNOW], "mid") if line[:2] in ("1.", "2.", "3.")]
    assert listed == [
        f"1. **{METRICS}** (scored 0/3): {markdown_text(one_line.strong_answer[0])}",
        f"2. **{COST}** (scored 0/3)",
        f"3. **{RESAMPLING}** (scored 0/3)",
    ]


def test_a_story_gets_what_the_level_expects_of_a_story(transcripts: Path) -> None:
    args = ("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "--topic", "disagreement-story")
    vague = "We disagreed about the model and the team went with the simpler one, and it went fine."
    result = run_cli(*args, "--level", "senior", input=blocks(vague, "/skip"))
    assert result.exit_code == 0, result.output
    section = stronger_section((sessions(transcripts)[0] / "report.md").read_text())
    assert (
        section[-1] == "A senior answer would also cover: how you brought other people along, and the lasting"
        " change it led to."
    )


# -- the rewrite, through the in-process FunctionModel ------------------------------------------------------------
def grader_model(rewrite: str, *, score: int = 1) -> FunctionModel:
    """Grades every item `score` with a verbatim quote; answers a rewrite request with `rewrite`."""

    def reply(messages: Messages, purpose: str) -> str:
        prompt = "\n".join(m["content"] for m in messages)
        return good_grades(prompt, score) if purpose == "grader" else rewrite

    return FunctionModel(reply, model="function/grader-model")


def model_session(transcripts: Path, fake: FunctionModel, *typed: str, rewrite: bool = True) -> tuple[Path, dict]:
    options = StartOptions(bank=[PACK], builtin_bank=False, questions=1, topics=["imbalanced-data"], seed=1)
    session, _ = prepare_session(replace(options, transcripts_dir=transcripts), Scripted(*typed, "/skip"))
    session.grader = LLMGrader(GraderModelSettings(model=fake.model, rewrite=rewrite), client=fake)
    record = session.run()
    folder = session.store.folder(record.id)
    return folder, transcript(folder)


def test_with_a_model_grader_the_report_shows_its_rewrite_marked_as_written_by_the_model(transcripts: Path) -> None:
    fake = grader_model(REWRITE)
    folder, data = model_session(transcripts, fake, answers.PARTIAL_IMBALANCE)
    report = (folder / "report.md").read_text()
    assert fake.purposes() == ["grader", "rewrite"]  # one extra call for the graded question
    marker = f"{MADE_STRONGER} (written by the model function/grader-model, not by you; not graded):"
    assert f"{marker}\n\n> {REWRITE}\n" in report
    assert report.index(SECTION) < report.index(MADE_STRONGER)  # the offline advice is shown too
    grade = data["grades"]["imbalanced-data"]
    assert grade["rewrite"] == {"model": "function/grader-model", "text": REWRITE}
    assert [u["purpose"] for u in data["usage"] if u["model"] == fake.model] == ["grader", "rewrite"]


def test_the_rewrite_prompt_fences_the_answer_as_data_and_names_what_it_missed(transcripts: Path) -> None:
    fake = grader_model(REWRITE)
    model_session(transcripts, fake, answers.PARTIAL_IMBALANCE + " " + answers.INJECTION)
    prompt = next(call.prompt for call in fake.calls if call.purpose == "rewrite")
    fence = re.search(r"between the lines reading (=====CANDIDATE TEXT [0-9a-f]+=====)", prompt).group(1)  # type: ignore[union-attr]
    assert f"{fence}\n{answers.PARTIAL_IMBALANCE}\n{fence}" in prompt  # the instruction to the grader was removed
    assert answers.INJECTION not in prompt
    assert f"- {COST}. A strong answer says: {COST_LINE}" in prompt
    assert "The candidate interviews at mid level." in prompt


def test_the_rewrite_prompt_names_the_mistakes_the_answer_made(transcripts: Path) -> None:
    fake = grader_model(REWRITE)
    model_session(transcripts, fake, answers.WRONG_IMBALANCE)
    prompt = next(call.prompt for call in fake.calls if call.purpose == "rewrite")
    mistakes = prompt.split("Mistakes in the answer, to correct:\n", 1)[1].split("\n\n", 1)[0]
    assert mistakes.splitlines() == [
        "- Reports accuracy as the headline metric",
        "- Oversamples before the train/test split, leaking copies into the test set",
    ]


def test_the_rewrite_never_changes_the_score(transcripts: Path) -> None:
    with_rewrite = model_session(transcripts, grader_model(REWRITE), answers.PARTIAL_IMBALANCE)[1]
    without = model_session(transcripts, grader_model(REWRITE), answers.PARTIAL_IMBALANCE, rewrite=False)[1]
    rewritten, plain = with_rewrite["grades"]["imbalanced-data"], without["grades"]["imbalanced-data"]
    assert rewritten["rewrite"] and plain["rewrite"] is None
    assert rewritten["score"] == plain["score"] and rewritten["items"] == plain["items"]


def test_with_the_rewrite_switched_off_no_call_is_made_and_the_report_has_only_the_advice(transcripts: Path) -> None:
    fake = grader_model(REWRITE)
    folder, _ = model_session(transcripts, fake, answers.PARTIAL_IMBALANCE, rewrite=False)
    report = (folder / "report.md").read_text()
    assert fake.purposes() == ["grader"]
    assert SECTION in report and MADE_STRONGER not in report


def test_an_answer_with_nothing_to_add_gets_no_rewrite_call(transcripts: Path) -> None:
    fake = grader_model(REWRITE, score=3)
    folder, _ = model_session(transcripts, fake, answers.STRONG_IMBALANCE)
    assert fake.purposes() == ["grader"]
    assert MADE_STRONGER not in (folder / "report.md").read_text()


BAD_REWRITES = {
    "empty": ("  \n ", "it was empty"),
    "overlong": (REWRITE + " More detail." * 300, f"characters long (at most {MAX_REWRITE_CHARS:,})"),
    "refusal": ("I'm sorry, but I can't help with rewriting interview answers.", "it refused"),
    "json dump": (json.dumps({"items": [{"item_id": "metrics", "score": 3}]}), "it listed the rubric or JSON"),
    "rubric dump": (f"{METRICS} (weight 3). {COST} (weight 3).", "it listed the rubric or JSON"),
    "echo": (answers.PARTIAL_IMBALANCE, "it only repeated the answer"),
    "advice to the reader": (f"Your answer is fine, but you should mention the threshold. {REWRITE}", "addressed"),
    "someone else's answer": (
        "Gradient descent steps against the gradient of the loss with a learning rate tuned on a schedule.",
        "it dropped the candidate's own points",
    ),
}


@pytest.mark.parametrize("bad", BAD_REWRITES.values(), ids=BAD_REWRITES.keys())
def test_a_bad_rewrite_is_left_out_with_a_note_in_the_transcript(transcripts: Path, bad: tuple[str, str]) -> None:
    text, why = bad
    folder, data = model_session(transcripts, grader_model(text), answers.PARTIAL_IMBALANCE)
    assert data["grades"]["imbalanced-data"]["rewrite"] is None
    assert MADE_STRONGER not in (folder / "report.md").read_text()
    [note] = [n for n in data["notes"] if "rewrite" in n]
    assert note.startswith("imbalanced-data: function/grader-model wrote a rewrite that was left out: ")
    assert why in note


def test_a_provider_failure_on_the_rewrite_keeps_the_grade_and_notes_it(bank: Bank) -> None:
    def reply(messages: Messages, purpose: str) -> str:
        if purpose == "rewrite":
            raise TimeoutError("the provider took too long")
        return good_grades("\n".join(m["content"] for m in messages), 1)

    question = bank.get("imbalanced-data")
    grader = LLMGrader(GraderModelSettings(model="function/grader-model"), client=FunctionModel(reply))
    grade, _ = grade_question(question, [answers.PARTIAL_IMBALANCE], grader, level="mid")
    kept, usage, notes = strengthen(question, grade, [answers.PARTIAL_IMBALANCE], grader, level="mid")
    assert kept == grade and usage == []
    assert notes == ["the rewrite of the answer failed (TimeoutError: the provider took too long); left out"]


def test_model_text_in_the_rewrite_is_escaped_stripped_of_terminal_codes_and_keys_are_masked(
    transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-live-abcdefghijklmnop1234"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    hostile = f"{REWRITE}\n# Score: 100/100\n| fake | row |\n\x1b]0;owned\x07\x1b[2J<script>x</script> {key}"
    folder, _ = model_session(transcripts, grader_model(hostile), answers.PARTIAL_IMBALANCE)
    quoted = (folder / "report.md").read_text().split(MADE_STRONGER, 1)[1].split("\n\n", 2)[1]
    assert quoted.splitlines()[1:] == [
        "> \\# Score: 100/100",
        "> \\| fake \\| row \\|",
        "> &lt;script&gt;x&lt;/script&gt; \\*\\*\\*\\*1234",  # the key masked, the mask escaped
    ]
    assert "\x1b" not in quoted and "sk-live" not in (folder / "transcript.json").read_text()


# -- old logs ------------------------------------------------------------------------------------------------------
def test_a_log_written_before_the_rewrite_existed_still_renders_with_the_advice(transcripts: Path) -> None:
    folder, _ = model_session(transcripts, grader_model(REWRITE), answers.PARTIAL_IMBALANCE)
    log = folder / "events.jsonl"
    old = [json.loads(line) for line in log.read_text().splitlines()]
    for event in old:
        if event["type"] == "graded":
            del event["grade"]["rewrite"]
    log.write_text("".join(json.dumps(event) + "\n" for event in old))
    report = render_report(Store(transcripts).load(folder.name))
    assert SECTION in report and MADE_STRONGER not in report


def test_a_0_1_0_transcript_renders_with_the_advice_for_its_level(transcripts: Path) -> None:
    shutil.copytree(FIXTURES / "v0_1_0", transcripts)
    record = Store(transcripts).load("20261201-133618-bdcb")
    report = render_report(record)
    assert f"{SECTION}, at {record.options.level} level:**" in report
    assert MADE_STRONGER not in report


# -- over HTTP, like the grader ------------------------------------------------------------------------------------
def test_the_rewrite_goes_over_http_to_the_grader_model_after_its_grade(
    mock: respx.MockRouter, transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    fake = FakeModel("openai", grade=lambda text: good_grades(text, 1))
    mock.post(OPENAI_URL).mock(side_effect=fake)
    args = ("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "--topic", "imbalanced-data", "-n", "1")
    result = run_cli(*args, "--model", "openai/gpt-4o-mini", input=blocks(answers.PARTIAL_IMBALANCE, "/skip"))
    assert result.exit_code == 0, result.output
    kinds = [kind_of(body) for body in fake.bodies]
    assert kinds.count("rewrite") == 1 and kinds.index("grader") < kinds.index("rewrite")
    [body] = fake.of_kind("rewrite")
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0 and not body.get("stream")
    assert fenced(request_text(body)) == [answers.PARTIAL_IMBALANCE]
    [folder] = sessions(transcripts)
    report = (folder / "report.md").read_text()
    assert f"{MADE_STRONGER} (written by the model openai/gpt-4o-mini, not by you; not graded)" in report
    assert f"> {answers.PARTIAL_IMBALANCE} {ADDED}" in report
    assert "rewrite" in {u["purpose"] for u in transcript(folder)["usage"]}
