"""The LLM interviewer listens: questions read from the bank, clarifications from facts, follow-ups from the
candidate's words, all through the in-process FunctionModel (no HTTP)."""

from __future__ import annotations

import pytest

from interviewer.backends.base import LineRequest, ThreadTurn
from interviewer.backends.chat import Messages
from interviewer.backends.fake import FunctionModel
from interviewer.backends.llm import LLMInterviewer
from interviewer.bank.loader import Bank
from interviewer.bank.models import Question
from interviewer.engine.actions import Action, Move
from interviewer.settings import ModelSettings

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
