"""The real CLI, as a subprocess, against a real llama.cpp server (tests/e2e/conftest.py).

The model is a 270M base model: what it says is junk, so these tests assert structure and
robustness, never content. Whatever it says, a session completes with a valid transcript, every
grade records the path that produced it, and the path agrees with the calls made and the notes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from interviewer.engine.actions import FOLLOW_UP_MOVES
from interviewer.transcripts.store import Store, StoreError
from tests.e2e.conftest import LOCAL_ONLY, MODEL, LlamaServer, free_port
from tests.helpers import PACK_ARGS, blocks, sessions, transcript

pytestmark = pytest.mark.e2e

CLI_TIMEOUT_S = 300
WAIT_TIMEOUT_S = 180
# (path, grader calls it makes): a rejected json_schema request fails before any usage is recorded
SCHEMA_CALLS = {"llm_json_schema": 1, "llm_json_mode": 1, "llm_extracted": 1, "llm_reasked": 2}
LLM_PATHS = set(SCHEMA_CALLS)
REJECTED = "json_schema output rejected"
SERVER_SAYS = "response_format.type: Input should be 'text' or 'json_object'"

CV_FIRST = "You split the data into k folds, train on k-1 of them and score the held out fold, then average the score."
CV_FOLLOW_UP = (
    "For daily sales I would not shuffle; I would use forward chaining, train on the past and validate on the "
    "next month, so there is no leakage."
)
LEARNING_RATE = (
    "The learning rate scales each gradient step. Too large and the loss oscillates or diverges; too small and "
    "training is slow, so I use warmup and decay."
)
STORY = "At my last job I proposed we benchmark both models first; I wrote the harness and we shipped the cheaper one."


def write_config(folder: Path, base_url: str, *, follow_ups: int, grader_max_tokens: int = 400) -> Path:
    """Small caps and generous timeouts: a CPU-only 270M model, one request at a time."""
    path = folder / "config.toml"
    path.write_text(
        f"max_follow_ups = {follow_ups}\n"
        f'transcripts_dir = "{folder / "transcripts"}"\n\n'
        f'[interviewer]\nmodel = "{MODEL}"\napi_base = "{base_url}"\n'
        "max_tokens = 40\ntimeout_s = 120\nretries = 1\n\n"
        f"[grader]\nmax_tokens = {grader_max_tokens}\ntimeout_s = 180\nretries = 1\n",
        encoding="utf-8",
    )
    return path


def environment(config: Path) -> dict[str, str]:
    return {**os.environ, **LOCAL_ONLY, "INTERVIEWER_CONFIG": str(config), "COLUMNS": "200"}


def interviewer(config: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        env=environment(config),
    )


def wait_for(what: str, predicate: Callable[[], bool], proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the CLI exited ({proc.returncode}) while waiting for {what}")
        time.sleep(0.1)
    raise AssertionError(f"not reached within {WAIT_TIMEOUT_S} s: {what}")


def saved(folder: Path) -> dict[str, Any]:
    """The session as its log holds it right now (transcript.json is written when the run ends)."""
    try:
        return json.loads(Store(folder.parent).load(folder.name).model_dump_json())
    except StoreError:  # not written yet
        return {}


def turns(data: dict[str, Any], role: str, question: str | None = None) -> list[dict[str, Any]]:
    runs = data.get("engine", {}).get("runs", [])
    return [t for r in runs if question in (None, r["question_id"]) for t in r["turns"] if t["role"] == role]


def candidate_texts(data: dict[str, Any]) -> list[str]:
    return [t["text"] for t in turns(data, "candidate")]


def usages(data: dict[str, Any], purpose: str) -> list[dict[str, Any]]:
    return [u for u in data["usage"] if u["purpose"] == purpose]


def gave_up(grade: dict[str, Any]) -> bool:
    """Graded offline because the model's reply failed validation after a re-ask (or was cut off)."""
    last = grade["notes"][-1] if grade["notes"] else ""
    return grade["path"] == "offline_fallback" and ("failed validation after a re-ask" in last or "cut off" in last)


def assert_grade_is_explained(grade: dict[str, Any], answers: list[str]) -> None:
    """A grade's path, grader and notes agree; its evidence is the candidate's own words."""
    path, notes = grade["path"], " | ".join(grade["notes"])
    assert path in LLM_PATHS | {"offline_fallback", "guard"}, path
    if path in LLM_PATHS:
        assert grade["grader"] == MODEL
    elif path == "offline_fallback":
        assert grade["grader"] == "offline" and "graded offline" in notes
    if path == "llm_reasked":
        assert "re-asked once" in notes
    said = "\n\n".join(answers)
    for item in grade["items"]:
        assert 0 <= item["score"] <= 3
        assert all(quote in said for quote in item["evidence"]), item


def assert_usage_is_counted(data: dict[str, Any]) -> None:
    """No usage comes back in the server's streams; it is counted. The model has no price."""
    assert data["usage"]
    for usage in data["usage"]:
        assert usage["model"] == MODEL and usage["cost_usd"] is None
        assert usage["prompt_tokens"] > 0 and usage["seconds"] > 0


def test_doctor_passes_against_the_real_server_and_names_a_dead_one(server: LlamaServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, server.base_url, follow_ups=0)
    result = interviewer(config, "doctor")
    out = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"interviewer + grader: {MODEL} at {server.base_url}" in out
    assert "no key needed for a server at api_base" in out
    assert f"{server.base_url} answers" in out and "a one-token call worked" in out
    assert "All checks passed." in out

    nobody = f"http://127.0.0.1:{free_port()}/v1"
    dead = interviewer(config, "doctor", "--model", MODEL, "--api-base", nobody)
    out = " ".join(dead.stdout.split())
    assert dead.returncode == 1
    assert f"cannot reach {nobody} (ConnectError): is the server running, and is api_base right?" in out
    assert "Traceback" not in dead.stdout + dead.stderr


def test_a_scripted_three_question_session_completes_with_an_explained_grade_for_each(
    server: LlamaServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path, server.base_url, follow_ups=1)
    script = [CV_FIRST, CV_FOLLOW_UP, LEARNING_RATE, "/skip"]
    result = interviewer(config, "start", *PACK_ARGS, "-n", "3", "--seed", "1", input=blocks(*script))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert f"the model {MODEL}" in result.stdout and "Transcript:" in result.stdout

    [folder] = sessions(tmp_path / "transcripts")
    data = transcript(folder)
    assert data["engines"] == {"interviewer": MODEL, "grader": MODEL, "offline": False}
    assert data["engine"]["status"] == "finished"
    assert data["engine"]["plan"] == ["cross-validation", "gradient-descent-reference", "disagreement-story"]
    assert candidate_texts(data) == script
    moves = [t["move"] for t in turns(data, "interviewer", "cross-validation")]
    assert moves[0] == "ask" and moves[1] in FOLLOW_UP_MOVES  # the policy chose the follow-up; the model wrote it
    asked = turns(data, "interviewer", "cross-validation")[0]["text"]
    assert asked.startswith("Question 1 of 3.")  # read from the bank, never generated
    spoken = turns(data, "interviewer")
    assert spoken and all(t["text"].strip() for t in spoken)  # an empty reply was replaced, never shown blank
    assert (folder / "report.md").is_file()

    grades = data["grades"]
    assert set(grades) == set(data["engine"]["plan"])
    skipped = grades["disagreement-story"]
    assert skipped["path"] == "guard" and skipped["skipped"] and skipped["score"] == 0
    answers = {"cross-validation": [CV_FIRST, CV_FOLLOW_UP], "gradient-descent-reference": [LEARNING_RATE]}
    for question, said in answers.items():
        grade = grades[question]
        assert_grade_is_explained(grade, said)
        # the model graded it, or its reply failed validation twice and the grade says so (a 270M model's JSON)
        assert grade["path"] in LLM_PATHS or gave_up(grade), grade["notes"]
    # llama-cpp-python answers json_schema with a 500; the first grade says so, and steps down
    notes = [n for q in answers for n in grades[q]["notes"]]
    assert any(REJECTED in n and SERVER_SAYS in n for n in notes), notes
    # every grader call is accounted for by the paths recorded
    expected = sum(SCHEMA_CALLS.get(grades[q]["path"], 2) for q in answers)
    assert len(usages(data, "grader")) == expected
    # a model call for each line that is not a question read from the bank, and for the close
    assert len(usages(data, "interviewer")) == sum(t["move"] != "ask" for t in spoken) + 1
    assert_usage_is_counted(data)


def test_a_grader_cut_off_by_max_tokens_is_re_asked_then_graded_offline_and_says_why(
    server: LlamaServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path, server.base_url, follow_ups=0, grader_max_tokens=24)
    args = ["-n", "1", "--topic", "optimization"]
    result = interviewer(config, "start", *PACK_ARGS, *args, input=blocks(LEARNING_RATE))
    assert result.returncode == 0, result.stdout + result.stderr

    data = transcript(sessions(tmp_path / "transcripts")[0])
    grade = data["grades"]["gradient-descent-reference"]
    assert grade["path"] == "offline_fallback" and grade["grader"] == "offline"
    assert REJECTED in grade["notes"][0]
    assert "invalid JSON twice" in grade["notes"][-1] and "cut off at max_tokens=24" in grade["notes"][-1]
    assert_grade_is_explained(grade, [LEARNING_RATE])
    graded = usages(data, "grader")
    assert len(graded) == 2 and all(u["completion_tokens"] == 24 for u in graded)  # the server's own count
    assert grade["score"] > 0  # the offline engine still credits the answer


def test_the_server_stopping_mid_session_loses_nothing_and_resume_finishes(server: LlamaServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, server.base_url, follow_ups=0)
    root = tmp_path / "transcripts"
    log = (tmp_path / "first-run.txt").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "start", *PACK_ARGS, "-n", "3", "--seed", "1"],
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment(config),
    )
    try:
        assert proc.stdin is not None
        wait_for("the session folder", lambda: bool(sessions(root)), proc)
        [folder] = sessions(root)
        wait_for("the first question", lambda: bool(turns(saved(folder), "interviewer")), proc)
        proc.stdin.write(CV_FIRST + "\n\n")
        proc.stdin.flush()
        question_two = "gradient-descent-reference"
        wait_for(
            "the first grade and the second question",
            lambda: (
                "cross-validation" in saved(folder).get("grades", {})
                and bool(turns(saved(folder), "interviewer", question_two))
            ),
            proc,
        )

        server.stop()
        proc.stdin.write(LEARNING_RATE + "\n\n")
        proc.stdin.close()
        code = proc.wait(timeout=CLI_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        log.seek(0)
        output = log.read()
        log.close()
    flat = " ".join(output.split())
    # the third question is read from the bank, so only the grader met the dead server: input ended, saved
    assert code == 0, output
    assert "interviewer resume" in flat and "Traceback" not in output

    data = transcript(folder)
    assert data["engine"]["status"] != "finished"
    assert candidate_texts(data) == [CV_FIRST, LEARNING_RATE]  # both answers saved
    assert data["grades"]["cross-validation"]["path"] in LLM_PATHS | {"offline_fallback"}
    down = data["grades"][question_two]  # graded while the server was down: offline, and says why
    assert down["path"] == "offline_fallback" and f"cannot connect to {server.base_url}" in " ".join(down["notes"])
    assert down["provisional"]  # to be graded again once the server is back

    server.start()
    resumed = interviewer(config, "resume", input=blocks(STORY))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    assert candidate_texts(data) == [CV_FIRST, LEARNING_RATE, STORY]
    assert set(data["grades"]) == {"cross-validation", question_two, "disagreement-story"}
    assert_grade_is_explained(data["grades"][question_two], [LEARNING_RATE])
    assert not data["grades"][question_two]["provisional"]  # resume graded it again with the server up
    story = data["grades"]["disagreement-story"]
    assert_grade_is_explained(story, [STORY])
    assert story["path"] in LLM_PATHS or gave_up(story), story["notes"]
    regraded = [data["grades"][question_two], story]  # both graded by the resumed process
    assert any(REJECTED in " ".join(g["notes"]) for g in regraded)  # a new process meets the 500 again
    assert (folder / "report.md").is_file()
    assert_usage_is_counted(data)


def test_a_model_written_follow_up_is_shown_only_when_it_passes_its_checks_else_the_authored_one_with_a_note(
    server: LlamaServer, tmp_path: Path
) -> None:
    """The 270M model rarely writes a usable question: either outcome is fine, an unchecked one is not."""
    config = write_config(tmp_path, server.base_url, follow_ups=1)
    script = blocks(CV_FIRST, CV_FOLLOW_UP, "/quit")  # seed 1 starts with cross-validation (test above)
    result = interviewer(config, "start", *PACK_ARGS, "-n", "3", "--seed", "1", input=script)
    assert result.returncode == 0, result.stdout + result.stderr
    data = transcript(sessions(tmp_path / "transcripts")[0])
    follow_up = turns(data, "interviewer", "cross-validation")[1]
    question = next(q for q in data["questions"] if q["id"] == "cross-validation")
    authored = {f["id"]: f["prompt"] for f in question["follow_ups"]}[follow_up["follow_up_id"]]
    replaced = [n for n in data["notes"] if "wrote a follow-up that was not used" in n]
    if replaced:
        assert follow_up["text"] == authored and len(replaced) == 1
    else:
        assert follow_up["text"].count("?") == 1 and len(follow_up["text"]) <= 300


def test_calibrate_against_the_real_server_prints_its_table_and_saves_the_result(
    server: LlamaServer, tmp_path: Path
) -> None:
    """Protocol only: three answers graded twice by the real server; the numbers are the small model's."""
    config = write_config(tmp_path, server.base_url, follow_ups=0)
    result = interviewer(config, "calibrate", "--grader-model", MODEL, "--api-base", server.base_url, "--limit", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    for measure in ("ordering held", "band hits", "MAE vs band centre", "agreement with offline", "consistency"):
        assert measure in out
    saved = json.loads((tmp_path / "data" / "calibration" / f"{MODEL.replace('/', '_')}.json").read_text())
    assert saved["grader"] == MODEL and saved["answers"] == saved["graded"] == 3 and saved["partial"] is False
    assert saved["prompt_tokens"] > 0 and saved["ordering_checks"] == 2
