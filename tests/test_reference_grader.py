"""The learned reference grader: the shipped model, its features, and how it grades reference-only questions."""

from __future__ import annotations

import json

import pytest

from interviewer.backends.offline import OfflineGrader
from interviewer.bank.models import Question
from interviewer.grading.examples import EXAMPLE_FEATURES, EXAMPLE_MODEL_PATH, load_example_model
from interviewer.grading.features import FEATURE_NAMES, clause_spans, pair_features
from interviewer.grading.grade import grade_question
from interviewer.grading.reference import MODEL_PATH, load_model

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SCALER = Question(
    id="scaler-leakage",
    question="When you standardise features for a model, where do the scaling statistics come from?",
    round="ml_concepts",
    topic="data preparation",
    difficulty="easy",
    levels=["junior", "mid"],
    time_budget_s=90,
    reference_answer=(
        "The mean and standard deviation are computed on the training split only and then reused to "
        "transform the validation and test data, so no information from held-out rows leaks into training."
    ),
    source="original",
)
PARAPHRASE = (
    "I work out the average and the spread from the training rows alone, then apply those same numbers "
    "to the validation and test sets, because otherwise the held-out data would leak into what the model sees."
)
CONTRADICTION = (
    "I compute the mean and standard deviation on the whole dataset, test rows included, before splitting, "
    "since that gives more stable statistics."
)


def grade(text: str):
    result, _ = grade_question(SCALER, [text], OfflineGrader())
    return result


@pytest.mark.parametrize(
    ("path", "names", "load"),
    [(MODEL_PATH, FEATURE_NAMES, load_model), (EXAMPLE_MODEL_PATH, EXAMPLE_FEATURES, load_example_model)],
    ids=["reference", "marked-answers"],
)
def test_a_shipped_model_matches_the_features_the_code_computes(path, names, load) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["features"] == list(names)
    assert len(data["weights"]) == len(data["mean"]) == len(data["scale"]) == len(names)
    assert "train" in data["trained_on"] and data["train_metrics"]["all"]["n"] > 0
    cuts = load().cuts
    assert 0 < cuts[0] < cuts[1] < cuts[2] < 1


def test_scoring_is_deterministic() -> None:
    model = load_model()
    first = model.probability(pair_features(PARAPHRASE, SCALER.reference_answer, SCALER.question))
    again = model.probability(pair_features(PARAPHRASE, SCALER.reference_answer, SCALER.question))
    assert first == again
    assert grade(PARAPHRASE).model_dump() == grade(PARAPHRASE).model_dump()


def test_a_paraphrased_correct_answer_scores_above_a_contradicting_one() -> None:
    assert grade(PARAPHRASE).score > grade(CONTRADICTION).score


def test_an_answer_that_only_restates_the_question_scores_below_a_real_one() -> None:
    echo = grade("The scaling statistics for standardising the features of the model come from somewhere.")
    assert echo.score < grade(PARAPHRASE).score


def test_reference_items_quote_a_verbatim_clause_of_the_answer() -> None:
    result = grade(PARAPHRASE)
    quotes = [q for item in result.items for q in item.evidence]
    assert quotes and all(q in PARAPHRASE for q in quotes)
    assert all(item.reason.startswith("The answer") for item in result.items)


def test_opposite_words_are_a_contradiction_cue() -> None:
    reference = "The bulb stays lit because it is still on a closed path with the battery."
    opposite = pair_features("The path is open so the bulb goes out.", reference, "Does bulb A stay lit?")
    same = pair_features("It is still in a closed path, so it stays lit.", reference, "Does bulb A stay lit?")
    antonym = FEATURE_NAMES.index("antonym")
    assert (opposite[antonym], same[antonym]) == (1.0, 0.0)


def test_negation_on_one_side_only_is_a_feature() -> None:
    reference = "Adding more training data reduces variance."
    negated = pair_features("Adding more training data does not reduce variance.", reference)
    assert negated[FEATURE_NAMES.index("negation_mismatch")] == 1.0
    assert pair_features("More data reduces the variance.", reference)[FEATURE_NAMES.index("negation_mismatch")] == 0


def test_clauses_split_at_punctuation_and_connectives_and_stay_verbatim() -> None:
    text = "The loss went up, so I lowered the rate because it diverged."
    assert [text[a:b] for a, b in clause_spans(text)] == [
        "The loss went up",
        "I lowered the rate",
        "it diverged",
    ]
