"""The LLM interviewer listens: questions read from the bank, clarifications from facts, follow-ups from the
candidate's words, all through the in-process FunctionModel (no HTTP)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from interviewer.backends.base import GradeReply, GradeRequest, LineRequest, ThreadTurn
from interviewer.backends.chat import Messages
from interviewer.backends.fake import FunctionModel
from interviewer.backends.llm import LLMInterviewer
from interviewer.backends.llm_prompts import grader_messages
from interviewer.backends.offline import OfflineGrader, OfflineInterviewer
from interviewer.bank.facts import fact_problems
from interviewer.bank.loader import Bank
from interviewer.bank.models import Fact, Question, Round
from interviewer.commands.interview import StartOptions, prepare_session
from interviewer.engine.actions import Action, Move
from interviewer.engine.engine import Engine
from interviewer.engine.policy import Assessment
from interviewer.grading.assess import assess
from interviewer.prompts import level_expectation
from interviewer.settings import InterviewerModelSettings, ModelSettings
from interviewer.text.screen import AnswerKind
from tests import answers
from tests.conftest import PACK

SETTINGS = ModelSettings(model="function/fake-model")


def interviewer(reply: str = "What would you check first?") -> tuple[LLMInterviewer, FunctionModel]:
    def model(messages: Messages, purpose: str) -> str:
        return reply

    fake = FunctionModel(model)
    return LLMInterviewer(SETTINGS, client=fake), fake


def request(question: Question, move: Move, *, thread: list[ThreadTurn] | None = None, **fields: object) -> LineRequest:
    action = Action(move=move, question_id=question.id, number=2, total=3, **fields)  # type: ignore[arg-type]
    return LineRequest(action=action, question=question, thread=thread or [], summary="Question 2 of 3.", level="mid")


def spoken(backend: LLMInterviewer, line: LineRequest) -> str:
    return "".join(backend.say(line)).strip()


@pytest.fixture
def imbalance(bank: Bank) -> Question:
    return bank.questions["imbalanced-data"]


def test_a_question_is_read_from_the_bank_without_a_model_call(imbalance: Question) -> None:
    backend, fake = interviewer()
    assert spoken(backend, request(imbalance, Move.ask)) == f"Question 2 of 3. {imbalance.question}"
    assert fake.calls == []


def test_moving_on_to_the_next_question_varies_its_words_and_repeats_them_for_the_same_place(bank: Bank) -> None:
    backend, fake = interviewer()
    lines = {
        spoken(backend, request(q, Move.ask, transition=True)).split("Question 2")[0] for q in bank.questions.values()
    }
    again = spoken(backend, request(bank.questions["imbalanced-data"], Move.ask, transition=True))
    assert len(lines) > 1
    assert again.split("Question 2")[0] in lines
    assert fake.calls == []


def test_repeating_a_line_needs_no_model(imbalance: Question) -> None:
    backend, fake = interviewer()
    assert (
        spoken(backend, request(imbalance, Move.repeat, repeat_text=imbalance.question))
        == f"Sure. {imbalance.question}"
    )
    assert fake.calls == []


def test_offline_clarify_answers_with_the_matching_fact(imbalance: Question) -> None:
    line = OfflineInterviewer().say(request(imbalance, Move.clarify, candidate_request="How big is the dataset?"))
    assert line.text == "Sure. About 2 million rows, 20,000 of them positive."


def test_offline_clarify_without_a_matching_fact_asks_for_an_assumption(imbalance: Question) -> None:
    line = OfflineInterviewer().say(request(imbalance, Move.clarify, candidate_request="Can I use a GPU?"))
    assert "state the assumption you'd make" in line.text
    assert "million" not in line.text


def test_llm_clarify_gives_the_model_the_matching_fact_and_only_it(imbalance: Question) -> None:
    backend, fake = interviewer("There are about 2 million rows, and 20,000 of them are positive.")
    said = spoken(backend, request(imbalance, Move.clarify, candidate_request="how many rows of data do we have?"))
    assert said == "There are about 2 million rows, and 20,000 of them are positive."
    (call,) = fake.calls
    assert "About 2 million rows, 20,000 of them positive." in call.prompt
    assert "Labels arrive a week" not in call.prompt


def test_llm_clarify_without_a_matching_fact_makes_no_call_and_asks_for_an_assumption(imbalance: Question) -> None:
    backend, fake = interviewer("Assume 500 GPUs.")
    said = spoken(backend, request(imbalance, Move.clarify, candidate_request="Can I use a GPU?"))
    assert "state the assumption you'd make" in said
    assert fake.calls == []


def test_bank_lint_asks_for_facts_on_a_system_design_question_and_flags_an_about_word_that_never_matches(
    imbalance: Question,
) -> None:
    design = imbalance.model_copy(update={"round": Round.system_design, "facts": []})
    assert fact_problems(design) == ["a system design question has no facts for /clarify"]
    vague = imbalance.model_copy(update={"facts": [Fact(about=["how much"], answer="About 2 million rows.")]})
    assert fact_problems(vague) == ["fact 1: about word 'how much' can never match a request"]
    assert fact_problems(imbalance) == []


# -- follow-ups written from the candidate's words ----------------------------------------------------------------
PARAPHRASE = (
    "I'd split first and give the rare class a larger weight in the loss, so each missed positive counts for more."
)


def answered(question: Question, *texts: str) -> tuple[Engine, Action]:
    """An engine on `question` after the candidate said `texts`, each assessed as the session does."""
    engine = Engine.new([question], level="mid", now=0.0, max_follow_ups=3)
    action = engine.pending
    for n, text in enumerate(texts, start=1):
        engine.said("...", now=n)
        found = assess(question, text, earlier=engine.run.answers())
        assessment = Assessment(set(found.covered), set(found.red_flag_items), set(found.wrong_items))
        action = engine.answer(text, assessment, found.kind, now=n + 0.5)
    return engine, action


def follow_up_request(engine: Engine, action: Action) -> LineRequest:
    thread = [ThreadTurn(role=t.role, text=t.text) for t in engine.run.turns]
    return LineRequest(action=action, question=engine.question, thread=thread, summary="", level="mid")


def test_an_item_covered_in_other_words_is_never_probed(imbalance: Question) -> None:
    engine, first = answered(imbalance, PARAPHRASE)
    assert "resampling" in engine.run.covered  # "a larger weight in the loss", not the signal's words
    _, second = answered(imbalance, PARAPHRASE, "I'd probably look at a confusion matrix.")
    assert first.target_item == "metrics" and second.target_item == "business-cost"


def test_the_model_writes_the_follow_up_for_the_uncovered_item_from_the_candidates_words(imbalance: Question) -> None:
    engine, action = answered(imbalance, PARAPHRASE)
    reply = 'You said a missed positive "counts for more": how would you know the model is really catching them?'
    backend, fake = interviewer(reply)
    line = backend.say(follow_up_request(engine, action))
    assert "".join(line) == reply and line.notes == []
    (call,) = fake.calls
    assert action.target_item == "metrics"
    assert "Your model reports 99 percent accuracy. Is it any good?" in call.prompt  # the authored example
    assert PARAPHRASE in call.prompt


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ('You said "use focal loss". How would you know the model works?', "quoted words the candidate did not say"),
        ("Would you look at precision and recall for that split?", "named what the rubric looks for"),
        ("How would you judge the model? And what would you report?", "asked 2 questions"),
        ("Great answer. How would you know the model works?", "gave feedback"),
        ("You might consider the evaluation side. How would you judge it?", "gave a hint"),
        ("", "was empty"),
        ("How " + "and how " * 60 + "would you judge it?", "characters long"),
    ],
)
def test_a_follow_up_that_fails_a_check_is_replaced_by_the_authored_one_with_a_note(
    imbalance: Question, reply: str, why: str
) -> None:
    engine, action = answered(imbalance, PARAPHRASE)
    backend, _ = interviewer(reply)
    line = backend.say(follow_up_request(engine, action))
    assert "".join(line) == "Your model reports 99 percent accuracy. Is it any good?"
    (note,) = line.notes
    assert why in note and "the authored one was asked" in note


def test_a_wrong_claim_triggers_the_challenge_follow_up(imbalance: Question) -> None:
    _, action = answered(imbalance, "I would oversample the whole dataset with SMOTE before splitting, then train.")
    assert action.move is Move.challenge and action.follow_up_id == "leak-check"


def test_a_mistake_found_by_the_claims_alone_triggers_the_challenge(imbalance: Question, bank: Bank) -> None:
    engine = Engine.new([imbalance], level="mid", now=0.0)
    engine.said("...", now=1)
    action = engine.answer(
        "Some answer about weighting.", Assessment(covered={"resampling"}, wrong_items={"resampling"}), AnswerKind.ok, 2
    )
    assert action.move is Move.challenge and action.target_item == "resampling"


class Scripted:
    """The candidate's side of a session: fixed answers, then the input ends."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.shown: list[str] = []
        self.console = Console(file=io.StringIO())

    def interviewer(self, chunks: Iterable[str]) -> str:
        self.shown.append("".join(chunks))
        return self.shown[-1]

    def read_answer(self) -> str | None:
        return self.answers.pop(0) if self.answers else None

    def info(self, text: str) -> None:
        self.shown.append(text)

    def round_break(self, next_round: str) -> None:
        pass

    def attach(self, *args: object) -> None:
        pass

    def wait_for_all(self, label: str, futures: list[Future[Any]]) -> None:
        for future in futures:
            future.result()


def test_a_session_asks_the_authored_follow_up_when_the_models_fails_and_notes_it_in_the_transcript(
    transcripts: Path,
) -> None:
    said = Scripted(answers.CV_ANSWER)
    options = StartOptions(bank=[PACK], builtin_bank=False, questions=2, topics=["evaluation"], seed=1)
    session, _ = prepare_session(replace(options, transcripts_dir=transcripts), said)
    backend, fake = interviewer("Great answer! Did you use stratified folds? And why?")
    session.interviewer = backend
    record = session.run()
    run = record.engine.runs[0]
    follow_up = next(t for t in run.turns if t.follow_up_id)
    authored = next(f.prompt for f in record.question(run.question_id).follow_ups if f.id == follow_up.follow_up_id)
    assert follow_up.text == authored and said.shown[-1] == authored  # the model's words were never shown
    assert "Great answer" not in " ".join(said.shown)
    assert fake.purposes() == ["interviewer"]  # the question was read from the bank: one call, the follow-up
    notes = [n for n in json.loads(session.store.transcript_path(record.id).read_text())["notes"] if "follow-up" in n]
    assert len(notes) == 1 and "asked 2 questions" in notes[0] and notes[0].startswith(run.question_id)


def test_model_judged_coverage_runs_on_the_function_model_too(imbalance: Question) -> None:
    fake = FunctionModel(lambda messages, purpose: '{"covered": ["business-cost"]}')
    backend = LLMInterviewer(InterviewerModelSettings(model="function/fake-model", coverage="llm"), client=fake)
    covered, usage = backend.covered_items(imbalance, PARAPHRASE)
    assert covered == {"resampling", "business-cost"}  # the detector's, then the model's for the rest
    assert fake.purposes() == ["coverage"] and len(usage) == 1


def test_the_grader_is_told_what_the_candidates_level_expects(imbalance: Question) -> None:
    senior = "\n".join(m["content"] for m in grader_messages(GradeRequest(imbalance, PARAPHRASE, [], level="senior")))
    assert "The candidate interviews at senior level." in senior
    assert level_expectation("senior") in senior and level_expectation("junior") not in senior
    unknown = "\n".join(m["content"] for m in grader_messages(GradeRequest(imbalance, PARAPHRASE, [])))
    assert "interviews at" not in unknown  # calibration sets carry no level: the prompt is the level-free one


def test_a_session_grades_with_the_candidates_level(transcripts: Path) -> None:
    asked: list[GradeRequest] = []

    class Recording(OfflineGrader):
        def grade(self, request: GradeRequest) -> GradeReply:
            asked.append(request)
            return super().grade(request)

    options = StartOptions(bank=[PACK], builtin_bank=False, questions=2, topics=["evaluation"], seed=1, level="senior")
    session, _ = prepare_session(replace(options, transcripts_dir=transcripts), Scripted(answers.CV_ANSWER, "/skip"))
    session.grader = Recording()
    session.run()
    assert [r.level for r in asked] == ["senior"]
