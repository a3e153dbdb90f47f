"""The learned reference grader: 0-3 item scores for questions that have only a reference answer.

A logistic model over `features.pair_features`, fitted on SemEval-2013 train by `bench/fit_reference.py`
and shipped as `data/reference_model.json`, gives the probability that the answer states what the
reference says. The whole answer is judged against the whole reference and against each reference
sentence (each sentence is a derived rubric item); an item scores the level of the higher of the two,
so an answer that matches the reference as a whole is not marked down for splitting it differently.
The evidence for an item is the answer's clause closest in meaning to that sentence, sliced verbatim.

For questions with an authored rubric the same model judges the whole answer against the strong
answer (`whole_match`) and against each item (`agreement`): the detector credits, in an answer that clearly
states the strong answer in its own words, the items it touches on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from interviewer.bank.derived import memo_per_question
from interviewer.bank.models import Question, RubricItem
from interviewer.grading.examples import MarkedMatches
from interviewer.grading.features import FEATURE_NAMES, alignment, analyse, pair_features, vectors
from interviewer.grading.logistic import LogisticModel, load_logistic
from interviewer.grading.paraphrase import item_texts

MODEL_PATH = Path(__file__).parent / "data" / "reference_model.json"
_LEVEL_WORDS = ("does not state", "touches on", "states", "clearly states")


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> LogisticModel:
    return load_logistic(path, FEATURE_NAMES)


@dataclass(frozen=True)
class ItemVerdict:
    score: int
    quote: str | None
    reason: str


def agreement(question: Question, answer: str, reference: str) -> float:
    """The model's probability that `answer` says what `reference` says, for `question`."""
    if not reference.strip() or not answer.strip():
        return 0.0
    return _probability(answer, reference, question.question)


@lru_cache(maxsize=1024)  # the detector asks of the same answer and item twice: to back credit, then to lift it
def _probability(answer: str, reference: str, question: str) -> float:
    return load_model().probability(pair_features(answer, reference, question))


def _best_match(question: Question, answer: str, references: list[str]) -> tuple[float, str]:
    """The best of the model's probabilities over `references` and the reference that gave it; once one
    reaches the top cut the rest cannot change the level, so they are not computed."""
    best = (-1.0, "")
    top = load_model().cuts[-1]
    for reference in references:
        best = max(best, (agreement(question, answer, reference), reference), key=lambda m: m[0])
        if best[0] >= top:
            break
    return best


def item_match(question: Question, answer: str, item_id: str) -> tuple[float, str]:
    """The model's probability that `answer` states an authored item, and the reference text it was judged on:
    the item's name and strong-answer parts, or the same from the plain-words outline when that matches better."""
    described = next(d for d in item_texts(question) if d.item_id == item_id)
    return _best_match(question, answer, [described.reference, *filter(None, [described.plain_reference])])


def touches_on(question: Question, answer: str, item_id: str) -> tuple[bool, float]:
    """Whether `answer` at least touches on the item, by the model's lowest cut; with the probability."""
    probability, _ = item_match(question, answer, item_id)
    return load_model().level(probability) >= 1, probability


def _outlines(question: Question) -> list[str]:
    """The strong-answer outline as one text, then the plain-words one if the question has it."""
    return [" ".join(question.strong_answer), *([" ".join(question.plain_answer)] if question.plain_answer else [])]


def prepare(question: Question) -> None:
    """Embed, once per question, every text an answer to it may be judged against (its outlines, each item's
    reference in both wordings, the question itself): the first answer pays for them, not every later one."""

    def embed_all(q: Question) -> bool:
        references = [text for d in item_texts(q) for text in (d.reference, d.plain_reference)]
        for text in (*references, *_outlines(q), q.question):
            if text and text.strip():
                vectors(text)
        return True

    memo_per_question("reference-texts", question, embed_all)


def whole_match(question: Question, answer: str) -> float:
    """The model's probability that `answer`, as a whole, says what the question's strong answer says (in its
    terms, or in the plain-words outline's)."""
    return _best_match(question, answer, _outlines(question))[0]


def closest_clause(answer: str, sentence: str) -> str | None:
    """The clause of `answer` closest in meaning to any clause of `sentence`, sliced verbatim."""
    sims = alignment(answer, sentence)
    if not sims.size:
        return None
    start, end = analyse(answer).clauses[int(sims.max(axis=0).argmax())]
    return answer[start:end].strip() or None


def marked_matches(question: Question, answer: str) -> MarkedMatches:
    """The answer's match to each of the question's marked example answers."""
    sides: dict[bool, list[float]] = {True: [], False: []}
    for example in question.examples:
        sides[example.accepted].append(agreement(question, answer, example.answer))
    return MarkedMatches(accepted=tuple(sides[True]), rejected=tuple(sides[False]))


def _reason(level: int, probability: float, marked: MarkedMatches) -> str:
    closest = marked.closest()
    beside = f"; closest marked answer: {'accepted' if closest[0] else 'rejected'}, {closest[1]:.2f}" if closest else ""
    return f"The answer {_LEVEL_WORDS[level]} this part of the reference (match {probability:.2f}{beside})."


def reference_verdicts(question: Question, answer: str, items: list[RubricItem]) -> dict[str, ItemVerdict]:
    """A verdict per item derived from `question.reference_answer`, for the (screened) `answer`.

    Marked example answers, when the question lists any, weigh in on every item (`examples.py`).
    """
    if not answer.strip():
        return {
            item.id: ItemVerdict(score=0, quote=None, reason=_reason(0, 0.0, MarkedMatches((), ()))) for item in items
        }
    model = load_model()
    whole = _probability(answer, question.reference_answer or "", question.question)
    marked = marked_matches(question, answer)
    verdicts = {}
    for item in items:
        own = whole if len(items) == 1 else _probability(answer, item.name, question.question)
        probability, score = marked.judge(max(own, whole), model)
        quote = closest_clause(answer, item.name) if score else None
        verdicts[item.id] = ItemVerdict(
            score=score if quote else 0, quote=quote, reason=_reason(score, probability, marked)
        )
    return verdicts
