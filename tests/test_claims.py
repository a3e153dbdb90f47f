"""Claims with polarity: red flags fire on natural phrasings of their mistake, swapped or denied facts
score their item 0, and a negated idea is neither credited nor flagged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interviewer.backends.offline import OfflineGrader
from interviewer.bank.lint import claim_problems
from interviewer.bank.loader import load_bank
from interviewer.bank.models import Claim, RedFlag, RubricItem
from interviewer.engine.actions import Move
from interviewer.engine.engine import Engine
from interviewer.engine.policy import Assessment
from interviewer.grading.assess import assess
from interviewer.grading.claims import find_claims
from interviewer.grading.grade import grade_question
from interviewer.text.normalize import find_phrase, phrase_key, tokens
from interviewer.text.polarity import clauses
from interviewer.text.screen import AnswerKind
from tests.helpers import run_cli

BANK = load_bank()
DATA = Path(__file__).parent / "data"
TUNED = yaml.safe_load((DATA / "red_flag_phrasings.yaml").read_text())
HELD_OUT = yaml.safe_load((DATA / "red_flag_phrasings_heldout.yaml").read_text())


def graded(question_id: str, text: str):
    grade, _ = grade_question(BANK.get(question_id), [text], OfflineGrader())
    return grade


def flags(question_id: str, text: str) -> list[str]:
    return assess(BANK.get(question_id), text).red_flags


def item(grade, item_id: str):
    return next(i for i in grade.items if i.item_id == item_id)


# -- the examples from the issue, on their bank questions ----------------------------------------


def test_fitting_the_scaler_on_the_full_dataset_lands_in_the_weak_band_with_its_red_flag() -> None:
    grade = graded("feature-scaling", "I always fit the scaler on the full dataset before splitting.")
    assert grade.score <= 40
    assert "Fits the scaler on the full dataset before splitting" in grade.red_flags
    practice = item(grade, "practice")
    assert practice.score == 0
    assert "I always fit the scaler on the full dataset before splitting." in practice.reason


def test_smote_on_the_whole_dataset_then_split_raises_the_oversampling_flag() -> None:
    grade = graded("imbalanced-data", "SMOTE on the whole dataset first, then split, and report accuracy.")
    assert "Oversamples before the train/test split, leaking synthetic copies into the test set" in grade.red_flags
    assert grade.score <= 40


def test_never_oversampling_before_the_split_is_not_flagged_and_earns_the_item() -> None:
    text = "I never oversample before the split; SMOTE goes on the training fold only, after splitting."
    assessment = assess(BANK.get("imbalanced-data"), text)
    assert assessment.red_flags == []
    assert assessment.wrong_items == []
    assert assessment.item_scores["training"] >= 2


def test_warning_what_a_mistake_does_is_not_making_it() -> None:
    warned = assess(BANK.get("train-validation-test-split"), "Tuning on the test set inflates the estimate.")
    made = assess(BANK.get("train-validation-test-split"), "I tune my hyperparameters on the test set.")
    assert warned.red_flags == [] and warned.wrong_items == []
    assert made.red_flags and "roles" in made.wrong_items


def test_a_mistake_praised_for_lessening_its_harm_is_still_the_mistake() -> None:
    question = BANK.get("transfer-learning")
    praised = assess(
        question, "With a small dataset you should unfreeze everything, because there is less risk of overfitting."
    )
    warned = assess(question, "With a small dataset, if you unfreeze everything it overfits within a few epochs.")
    assert "freeze-strategy" in praised.wrong_items
    assert "freeze-strategy" not in warned.wrong_items


def test_turning_a_claims_direction_round_states_it_wrongly() -> None:
    question = BANK.get("transfer-learning")
    swapped = assess(question, "The pretrained layers need a higher learning rate than the new head.")
    contrast = assess(
        question, "Use a lower learning rate for the pretrained layers and a higher one for the new head."
    )
    assert "training-details" in swapped.wrong_items
    assert "training-details" not in contrast.wrong_items and contrast.item_scores["training-details"] >= 1


def test_what_a_concept_is_compared_with_is_not_what_the_comparison_says_of_it() -> None:
    question = BANK.get("batchnorm-vs-layernorm")
    compared = assess(question, "Pre-norm, with the norm before attention, trains more stably at depth than post-norm.")
    said = assess(question, "Post-norm trains more stably at depth.")
    assert "placement-variants" not in compared.wrong_items
    assert "placement-variants" in said.wrong_items


def test_batch_norm_using_the_batch_in_training_is_not_the_inference_mistake() -> None:
    question = BANK.get("batchnorm-vs-layernorm")
    training = assess(question, "During training, batch norm normalises with the current batch's mean and variance.")
    serving = assess(question, "At inference batch norm just normalises with whatever batch comes in.")
    assert training.red_flags == []
    assert serving.red_flags


def test_avoiding_class_weights_does_not_credit_the_rebalancing_item() -> None:
    avoided = assess(BANK.get("imbalanced-data"), "Honestly I avoid class weights in the loss.")
    used = assess(BANK.get("imbalanced-data"), "Honestly I use class weights in the loss.")
    assert "training" not in avoided.covered
    assert "training" in used.covered


def test_swapped_l1_and_l2_score_below_the_correct_answer_and_in_the_weak_band() -> None:
    penalty = "Regularization adds a penalty on the weights to curb overfitting. "
    swapped = graded("regularization-l1-l2", penalty + "L2 drives weights to exactly zero, L1 shrinks smoothly.")
    correct = graded(
        "regularization-l1-l2",
        penalty + "L1 drives some weights to exactly zero, so it does feature selection, "
        "while L2 shrinks them smoothly and handles correlated features.",
    )
    assert swapped.score <= 40
    assert swapped.score < correct.score
    assert item(swapped, "l1").score == item(swapped, "l2").score == 0
    assert item(correct, "l1").score >= 2 and item(correct, "l2").score >= 2
    assert set(swapped.red_flags) == {
        "Claims L2 drives weights to zero or does feature selection",
        "Claims L1 only shrinks weights smoothly and never zeroes them",
    }


# -- polarity and clauses ----------------------------------------------------------------------


def test_denying_a_true_fact_states_the_mistake() -> None:
    assessment = assess(BANK.get("regularization-l1-l2"), "Lasso does not give sparse weights, it just penalises size.")
    assert "l1" in assessment.wrong_items
    assert assessment.item_scores["l1"] == 0


def test_calling_the_mistake_a_mistake_raises_no_flag() -> None:
    text = "Fitting the scaler on the whole dataset before splitting would leak test statistics into training."
    assert flags("feature-scaling", text) == []


def test_avoiding_a_hazard_still_credits_the_practice_that_prevents_it() -> None:
    text = "To avoid leakage I fit the scaler on the training data only and reuse it on the test rows."
    assessment = assess(BANK.get("feature-scaling"), text)
    assert assessment.red_flags == [] and assessment.wrong_items == []
    assert "practice" in assessment.covered


def test_a_clause_after_but_borrows_the_concept_named_before_it() -> None:
    assessment = assess(BANK.get("feature-scaling"), "I do use a scaler, but I fit it on the training rows only.")
    assert "practice" in assessment.covered
    assert assessment.red_flags == []


def test_not_only_denies_a_claim_but_still_credits_a_named_idea() -> None:
    text = "We looked at not only accuracy but also recall."
    clause = clauses(text)[0]
    span = find_phrase(tokens(text), phrase_key("accuracy"))
    assert not clause.negates(span, phrase="accuracy")
    assert clause.negates(span, phrase="accuracy", soft=True)
    assert flags("generative-ai-overview", "Generative AI is not just chatbots; it also makes images.") == []


def test_stating_the_fact_in_plain_words_explains_the_item() -> None:
    assessment = assess(BANK.get("feature-scaling"), "Fit the scaler on training data only.")
    assert assessment.item_scores["practice"] >= 2


def test_a_list_of_terms_states_no_fact_and_no_mistake() -> None:
    assessment = assess(BANK.get("regularization-l1-l2"), "L2, exactly zero, L1, shrinks smoothly, elastic net.")
    assert assessment.wrong_items == []


def test_a_clarifying_question_states_no_mistake() -> None:
    text = "Before coding I'd ask: can the same element be used twice, and is there always exactly one answer?"
    assert flags("two-sum", text) == []
    stated = "The same element can be used twice, so I return the first index twice."
    assert flags("two-sum", stated) == ["reuse-element"]


@pytest.mark.parametrize(
    "text",
    [
        "I'd check a couple of things first: can the same element be used twice, is there exactly one answer.",
        "I'd ask the interviewer whether the same element can be used twice, and then build the hash map.",
    ],
)
def test_a_question_asked_inside_a_statement_states_no_mistake(text: str) -> None:
    assert flags("two-sum", text) == []


def test_the_step_after_an_asked_question_is_still_stated() -> None:
    text = "I'd ask whether negatives can occur, and then I'd say the same element can be used twice."
    assert flags("two-sum", text) == ["reuse-element"]


def test_a_fact_stated_wrongly_withholds_credit_from_the_answer_as_a_whole() -> None:
    question = BANK.get("attention-from-scratch")
    plain = " ".join(question.plain_answer)
    wrong = plain + " I take the softmax over the batch axis so the weights of the examples add up to one."
    whole = "as a whole it says what a strong answer says"
    assert any(whole in i.reason for i in graded("attention-from-scratch", plain).items)
    grade = graded("attention-from-scratch", wrong)
    assert item(grade, "scores").score == 0
    assert not any(whole in i.reason for i in grade.items)
    assert grade.score <= 50


def test_a_decimal_point_does_not_end_the_clause() -> None:
    assert flags("probability-calibration", "The AUC is 0.95, so the probabilities must be well calibrated.") == [
        "auc-implies-calibration"
    ]


# -- natural phrasings of every red flag ------------------------------------------------------


def _label(entry: dict) -> str:
    return f"{entry['question']}/{entry['flag']}"


@pytest.mark.parametrize("entry", TUNED, ids=_label)
def test_each_red_flag_fires_on_its_natural_phrasing_and_not_on_the_correct_form(entry: dict) -> None:
    assert entry["flag"] in flags(entry["question"], entry["fires"])
    assert flags(entry["question"], entry["quiet"]) == []


def test_the_held_out_phrasings_fire_and_stay_quiet_at_the_reported_rates() -> None:
    fired = sum(entry["flag"] in flags(entry["question"], entry["fires"]) for entry in HELD_OUT)
    false = sum(bool(flags(entry["question"], entry["quiet"])) for entry in HELD_OUT)
    assert fired / len(HELD_OUT) >= 0.9
    assert false / len(HELD_OUT) <= 0.1


def test_every_red_flag_has_claims_and_one_phrasing_in_one_of_the_two_halves() -> None:
    in_bank = {(q.id, f.id) for q in BANK.questions.values() for f in q.red_flags}
    phrased = [(e["question"], e["flag"]) for e in TUNED + HELD_OUT]
    assert sorted(phrased) == sorted(in_bank)
    assert all(f.claims for q in BANK.questions.values() for f in q.red_flags)


# -- effects on the interview and on lint ------------------------------------------------------


def test_a_wrongly_stated_fact_draws_the_challenge_follow_up() -> None:
    question = BANK.get("bias-variance-tradeoff")
    text = "High bias means the model overfits the training data, and high variance means it is too simple."
    assessment = assess(question, text)
    assert assessment.red_flag_items == [] and assessment.wrong_items == ["definitions"]
    engine = Engine.new([question], level="mid", now=0.0)
    engine.said("(question)", 0.0)
    action = engine.answer(
        text, Assessment(set(assessment.covered), set(), set(assessment.wrong_items)), AnswerKind.ok, 30.0
    )
    assert action.move is Move.challenge
    assert action.follow_up_id == "more-data"


def test_lint_names_malformed_and_unreachable_claims() -> None:
    question = BANK.get("feature-scaling")
    bad_item = RubricItem(
        id="practice",
        name="Fits the scaler on training data only",
        weight=2,
        signals=["fit on training set", "training statistics", "transform the test set"],
        claims=[Claim(about=["the"], holds=["training only"], wrong=["Training only", "while leaking"])],
    )
    bad_flag = RedFlag(
        id="scale-before-split",
        text="Fits the scaler on the full dataset",
        item="practice",
        claims=[Claim(about=["scaler"], holds=["full dataset", "..."], wrong=["training only"])],
    )
    broken = question.model_copy(update={"rubric": [bad_item], "red_flags": [bad_flag], "follow_ups": []})
    problems = "\n".join(claim_problems(broken))
    assert "about-term 'the' of 'practice' is only stopwords" in problems
    assert "lists 'training only' both as holding and as wrong" in problems
    assert "phrase 'while leaking' of 'practice' is unreachable" in problems
    assert "phrase '...' of 'scale-before-split' can never match" in problems
    assert "red flag 'scale-before-split' lists `wrong` phrases" in problems


def test_a_claim_that_names_a_fault_is_stated_by_calling_it_one() -> None:
    question = BANK.get("imbalanced-data")
    metrics = question.item("metrics").model_copy(
        update={"claims": [Claim(about=["accuracy"], holds=["misleading"], wrong=["good enough"])]}
    )
    custom = question.model_copy(update={"rubric": [metrics, *question.rubric[1:]]})
    assert "metrics" in assess(custom, "Reporting accuracy would be misleading with so few positives.").covered
    assert assess(custom, "Accuracy is good enough for this model.").wrong_items == ["metrics"]


def test_bank_validate_warns_about_an_unreachable_claim_in_a_user_pack(tmp_path: Path) -> None:
    fixture = (Path(__file__).parent / "fixtures" / "pack.yaml").read_text()
    flag = "        signals: [accuracy is good enough, just use accuracy, high accuracy]\n"
    assert flag in fixture
    claims = '        claims:\n          - about: [accuracy]\n            holds: ["fine but only here", "is enough"]\n'
    pack = tmp_path / "mine.yaml"
    pack.write_text(fixture.replace(flag, flag + claims))
    result = run_cli("bank", "validate", str(pack))
    assert result.exit_code == 0
    assert "'imbalanced-data': claim phrase 'fine but only here' of 'accuracy-default' is unreachable" in result.output
    assert "'is enough'" not in result.output


def test_no_claim_in_the_bank_reads_its_own_strong_answer_as_a_mistake() -> None:
    """Every question's strong-answer outline, each line a correct answer in brief, states no fact wrongly and
    raises none of its red flags."""
    alarms = {}
    for question in load_bank().questions.values():
        for line in question.strong_answer:
            mistaken = [hit.owner for hit in find_claims(question, line) if hit.red_flag or not hit.asserted]
            if mistaken:
                alarms.setdefault(question.id, []).append((mistaken, line))
    assert alarms == {}
