"""`interviewer drill`: an FSRS schedule per (question, rubric item) replayed from the history, and its drills."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from fsrs import Rating

from interviewer.bank.outline import outline_of
from interviewer.engine.engine import Engine
from interviewer.engine.policy import Assessment
from interviewer.history.db import connect, database_path
from interviewer.history.index import open_index, rebuild
from interviewer.history.queries import ItemReview, content_token, item_reviews
from interviewer.practice.plan import plan_drill
from interviewer.practice.schedule import build_schedule, history_schedule, rating
from interviewer.text.screen import AnswerKind
from interviewer.transcripts.store import Store
from tests.conftest import PACK
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript

DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def review(question: str, item: str, score: int, day: int, *, hints: int = 0, skipped: bool = False) -> ItemReview:
    at = (DAY1 + timedelta(days=day)).isoformat()
    return ItemReview(question, item, f"{item} (name)", score, hints, skipped, at)


def test_item_scores_map_to_fsrs_ratings_and_a_hint_or_skip_is_again() -> None:
    assert [rating(s, hinted=False, skipped=False) for s in range(4)] == [
        Rating.Again,
        Rating.Hard,
        Rating.Good,
        Rating.Easy,
    ]
    assert rating(3, hinted=True, skipped=False) is Rating.Again
    assert rating(2, hinted=False, skipped=True) is Rating.Again


def test_a_strong_item_comes_back_later_than_a_weak_one_and_a_hint_brings_it_sooner() -> None:
    cards = build_schedule(
        [
            review("cross-validation", "mechanics", 3, 0),
            review("cross-validation", "when-not", 0, 0),
            review("imbalanced-data", "metrics", 3, 0, hints=1),
        ]
    )
    strong, weak = cards["cross-validation", "mechanics"], cards["cross-validation", "when-not"]
    hinted = cards["imbalanced-data", "metrics"]
    assert weak.due < strong.due
    assert hinted.due == weak.due
    assert (hinted.why(), weak.why()) == ("last scored 3/3 after a hint", "last scored 0/3")


def test_reviews_are_replayed_in_order_so_a_recovered_item_is_scheduled_further_out() -> None:
    steady = build_schedule([review("q", "a", 2, 0), review("q", "a", 2, 3), review("q", "a", 2, 10)])["q", "a"]
    relapsed = build_schedule([review("q", "a", 2, 0), review("q", "a", 2, 3), review("q", "a", 0, 10)])["q", "a"]
    assert steady.reviews == relapsed.reviews == 3
    assert relapsed.due < steady.due
    assert relapsed.last_score == 0


def _states(cards) -> dict:
    return {key: (s.due, s.stability, s.reviews, s.last_score, s.name) for key, s in cards.items()}


def test_a_schedule_replayed_before_comes_back_identical_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    history = [review("q", "a", 2, 0), review("q", "b", 0, 0), review("q", "a", 3, 4)]
    replayed = build_schedule(history)
    assert len(list((tmp_path / "cache" / "schedules").glob("*.json"))) == 1
    assert _states(build_schedule(history)) == _states(replayed)


def test_a_new_grade_is_a_new_replay_never_a_stale_cached_schedule(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    history = [review("q", "a", 2, 0), review("q", "a", 2, 3)]
    build_schedule(history)
    relapsed = build_schedule([*history, review("q", "a", 0, 10)])["q", "a"]
    assert (relapsed.reviews, relapsed.last_score) == (3, 0)


def test_a_damaged_cached_schedule_is_replayed_again(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    history = [review("q", "a", 3, 0)]
    expected = _states(build_schedule(history))
    (entry,) = (tmp_path / "cache" / "schedules").glob("*.json")
    entry.write_text('[{"question_id": "q"}]')
    assert _states(build_schedule(history)) == expected


def test_the_plan_takes_the_due_items_questions_first_and_skips_questions_left_out_of_the_bank(bank) -> None:
    schedule = build_schedule(
        [
            review("imbalanced-data", "metrics", 3, 0),
            review("cross-validation", "when-not", 1, 0),
            review("cross-validation", "mechanics", 3, 0),
            review("retired-question", "old-item", 0, 0),
            review("disagreement-story", "context", 3, 2),
        ]
    )
    now = DAY1 + timedelta(days=3)  # the day-0 "hard" item is due; the "easy" ones are not
    plan = plan_drill(schedule.values(), outline_of(bank.questions.values()), now=now, count=2)
    assert [d.question_id for d in plan.chosen] == ["cross-validation", "imbalanced-data"]
    assert plan.focus() == {"cross-validation": ["when-not"], "imbalanced-data": ["metrics"]}
    assert plan.removed == ["retired-question"]
    assert ("disagreement-story", "context") in {(i.question_id, i.item_id) for i in plan.later}


def _first_follow_up(bank, focus: dict[str, list[str]] | None) -> str | None:
    engine = Engine.new([bank.get("cross-validation")], level="mid", now=0.0, focus=focus)
    engine.said("What is k-fold cross-validation?", 0.0)
    action = engine.answer("You split the data up and check the model.", Assessment(set()), AnswerKind.ok, 30.0)
    return action.follow_up_id


def test_a_drill_aims_its_follow_up_at_the_drilled_item(bank) -> None:
    assert _first_follow_up(bank, None) == "fold-count"  # both items weigh 2: the first one without a focus
    assert _first_follow_up(bank, {"cross-validation": ["when-not"]}) == "time-series"


# -- the command -----------------------------------------------------------------------------------------------


def _start(transcripts: Path, seed: int, *answers: str):
    args = ("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "2", "--seed", str(seed))
    return run_cli(*args, input=blocks(*answers))


def _drill(transcripts: Path, *args: str, input: str | None = None, pack: Path = PACK):
    result = run_cli(
        "drill", "--bank", str(pack), "--no-builtin", "--transcripts-dir", str(transcripts), *args, input=input
    )
    assert "Traceback" not in result.output
    return result


def test_drill_with_no_history_says_to_run_a_first_session(transcripts: Path) -> None:
    result = _drill(transcripts, "--plan")
    assert result.exit_code == 1
    assert "No history yet" in result.output and "interviewer start" in result.output


def test_drill_on_a_history_that_does_not_load_says_so_and_suggests_a_rebuild(transcripts: Path) -> None:
    broken = transcripts / "20260301-090000-dead"
    broken.mkdir(parents=True)
    (broken / "transcript.json").write_text("{ not json")
    result = _drill(transcripts, "--plan")
    assert result.exit_code == 1
    assert "no graded answers (0 sessions loaded, 1 broken)" in result.output
    assert "history rebuild" in result.output


def test_three_sessions_then_drill_plan_and_a_drill_that_updates_the_schedule(transcripts: Path) -> None:
    for seed in (1, 2, 3):
        assert _start(transcripts, seed, "I would look at the data first.", "/skip", "/skip", "/skip").exit_code == 0
    plan = _drill(transcripts, "--plan")  # indexes the three sessions
    assert plan.exit_code == 0, plan.output
    before = item_reviews(connect(database_path(transcripts)))
    assert "Next drill" in plan.output and "skipped last time" in plan.output

    drill = _drill(transcripts, "-n", "1", input=blocks("We split into k folds and rotate the held out fold.", "/skip"))
    assert drill.exit_code == 0, drill.output
    records = [transcript(folder) for folder in sessions(transcripts)]
    [record] = [r for r in records if r["options"]["round"] == "drill"]
    assert len(records) == 4 and len(record["questions"]) == 1
    drilled = record["questions"][0]["id"]
    assert record["engine"]["focus"][drilled]
    assert _drill(transcripts, "--plan").exit_code == 0  # indexes the drill
    after = item_reviews(connect(database_path(transcripts)))
    added = Counter(r.question_id for r in after) - Counter(r.question_id for r in before)
    assert set(added) == {drilled}
    assert added[drilled] == len(record["questions"][0]["rubric"])


def test_a_question_removed_from_the_bank_keeps_its_schedule_but_is_skipped(transcripts: Path, tmp_path: Path) -> None:
    assert _start(transcripts, 1, "/skip", "/skip").exit_code == 0
    asked = [q["id"] for q in transcript(sessions(transcripts)[0])["questions"]]
    pack = yaml.safe_load(PACK.read_text())
    pack["questions"] = [q for q in pack["questions"] if q["id"] != asked[0]]
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(yaml.safe_dump(pack))
    result = _drill(transcripts, "--plan", pack=smaller)
    assert result.exit_code == 0
    assert f"Skipped (no longer in the bank, schedule kept): {asked[0]}" in result.output
    assert asked[1] in result.output


def test_a_history_database_from_before_hints_were_indexed_is_emptied_to_be_indexed_again(tmp_path: Path) -> None:
    import sqlite3

    from interviewer.history.schema import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    old.execute("INSERT INTO sessions (id, fingerprint) VALUES ('20260301-090000-abcd', 'x')")
    old.commit()
    old.close()
    db = connect(path)
    assert {row[1] for row in db.execute("PRAGMA table_info(grades)")} >= {"hints", "skipped"}
    assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0  # the next refresh indexes every session


def _token_and_schedule(transcripts: Path) -> tuple[str, dict]:
    db, _ = open_index(Store(transcripts))
    return content_token(db), history_schedule(db)


def test_an_unchanged_history_keeps_its_content_token_and_a_new_session_or_a_rebuild_changes_it(
    transcripts: Path,
) -> None:
    assert _start(transcripts, 1, "We split into k folds and rotate the held out fold.", "/skip").exit_code == 0
    first, _ = _token_and_schedule(transcripts)
    assert _token_and_schedule(transcripts)[0] == first  # a refresh that found nothing new
    assert _start(transcripts, 1, "/skip", "/skip").exit_code == 0
    second, _ = _token_and_schedule(transcripts)
    assert second != first
    db, _ = open_index(Store(transcripts))
    rebuild(db, Store(transcripts))
    assert content_token(db) not in (first, second)


def test_the_schedule_read_by_progress_counts_a_new_grade_at_once(transcripts: Path) -> None:
    assert _start(transcripts, 1, "We split into k folds and rotate the held out fold.", "/skip").exit_code == 0
    _, before = _token_and_schedule(transcripts)
    assert _start(transcripts, 2, "/skip", "/skip").exit_code == 0
    _, after = _token_and_schedule(transcripts)
    db, _ = open_index(Store(transcripts))
    graded = item_reviews(db)
    assert sum(s.reviews for s in after.values()) == len(graded) > sum(s.reviews for s in before.values())
    assert _states(after) == _states(build_schedule(graded))
