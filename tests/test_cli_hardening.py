"""Rough edges a new user hits: one clear line instead of a traceback, conventions a CLI user expects."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from concurrent.futures import Future
from io import StringIO
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from interviewer.bank import loader
from interviewer.bank.lint import MAX_NEAR_DUPLICATES, near_duplicates
from interviewer.bank.models import Level
from interviewer.cli import LEVELS
from interviewer.limits import MAX_PACK_BYTES, MAX_PACK_QUESTIONS
from interviewer.ui.terminal import PipedIO, TerminalIO, clock_text
from tests.conftest import PACK
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions

ANSWER = "I led the migration and owned the rollout plan, then measured the error rate before and after."


def interviewer(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}, input=input,
    )  # fmt: skip


def one_clear_line(result: subprocess.CompletedProcess, *names: str) -> str:
    """The error output, asserted to be a short message naming `names`, not a traceback or a dump."""
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    assert len(text.splitlines()) <= 8, text
    flat = " ".join(text.split())
    for name in names:
        assert name in flat, flat
    return flat


def pack_text(**replace: str) -> str:
    text = PACK.read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


# -- config -------------------------------------------------------------------------------------
def test_config_show_with_malformed_toml_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[interviewer\nmodel = 'x'\n")
    result = interviewer("config", "show", env={"INTERVIEWER_CONFIG": str(config)})
    assert result.returncode == 1
    assert "not valid TOML" in one_clear_line(result, str(config), "line 1")


def test_config_show_with_a_wrongly_typed_value_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[interviewer]\nmodel = 3\n")
    result = interviewer("config", "show", env={"INTERVIEWER_CONFIG": str(config)})
    assert result.returncode == 1
    one_clear_line(result, str(config), "interviewer.model", "valid string")


def test_a_misspelled_config_key_is_warned_about(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[interviewer]\nmodle = 'openai/gpt-4o-mini'\n")
    result = interviewer("config", "show", env={"INTERVIEWER_CONFIG": str(config)})
    assert result.returncode == 0
    warning = " ".join(result.stderr.split())
    assert "unknown key 'interviewer.modle' is ignored" in warning and "model" in warning


def test_an_unknown_level_is_a_usage_error_naming_the_option() -> None:
    result = interviewer("start", "--level", "expert")
    assert result.returncode == 2
    one_clear_line(result, "--level", "'expert' is not a level", "junior, mid, senior")


def test_the_cli_levels_are_the_banks_levels() -> None:
    assert list(LEVELS) == [level.value for level in Level]


# -- packs --------------------------------------------------------------------------------------
def test_deeply_nested_yaml_is_one_line_naming_the_file(tmp_path: Path) -> None:
    pack = tmp_path / "deep.yaml"
    pack.write_text("pack: deep\nversion: '1'\nquestions: " + "[" * 50_000 + "]" * 50_000 + "\n")
    result = interviewer("bank", "validate", str(pack))
    assert result.returncode == 1
    one_clear_line(result, "deep.yaml")


def test_a_non_utf8_pack_names_the_file_and_the_byte(tmp_path: Path) -> None:
    pack = tmp_path / "latin1.yaml"
    pack.write_bytes(pack_text(**{"topic: evaluation": "topic: caf\xe9"}).encode("latin-1"))
    result = interviewer("bank", "validate", str(pack))
    assert result.returncode == 1
    one_clear_line(result, "latin1.yaml", "not UTF-8", "0xe9")


def test_a_duplicate_key_in_a_pack_is_an_error_naming_the_key_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "dup.yaml"
    pack.write_text(pack_text(**{"    topic: evaluation\n": "    topic: evaluation\n    topic: metrics\n"}))
    result = run_cli("bank", "validate", str(pack))
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "dup.yaml" in flat and "duplicate key 'topic'" in flat and "line 9" in flat


def test_validation_messages_are_printed_literally_not_as_markup(tmp_path: Path) -> None:
    pack = tmp_path / "ids.yaml"
    pack.write_text(pack_text(**{"id: imbalanced-data": "id: Imbalanced Data"}))
    result = run_cli("bank", "validate", str(pack))
    assert result.exit_code == 1
    assert "^[a-z0-9][a-z0-9_-]*$" in result.output


def test_validate_reports_ids_that_clash_with_the_built_in_bank() -> None:
    result = run_cli("bank", "validate", str(PACK))
    flat = " ".join(result.output.split())
    assert "question 'imbalanced-data': the built-in bank uses this id too" in flat
    assert "--no-builtin" in flat


def test_a_pack_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "huge.yaml"
    pack.write_text(PACK.read_text() + "#" * MAX_PACK_BYTES + "\n")
    result = run_cli("bank", "validate", str(pack))
    assert result.exit_code == 1
    assert f"over the {MAX_PACK_BYTES:,}-byte limit" in " ".join(result.output.split())


def test_a_pack_with_too_many_questions_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "many.yaml"
    entry = "  - {id: q%d, question: 'What is question number %d about?'}\n"
    pack.write_text("pack: many\nversion: '1'\nquestions:\n" + "".join(entry % (n, n) for n in range(2_001)))
    result = run_cli("bank", "validate", str(pack))
    assert result.exit_code == 1
    assert f"2,001 questions is over the {MAX_PACK_QUESTIONS:,} limit" in " ".join(result.output.split())


def test_near_duplicates_match_the_all_pairs_check() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(60)]
    words = {f"q{n}": set(rng.sample(vocabulary, rng.randint(3, 9))) for n in range(300)}
    for n in range(0, 40, 2):  # planted near-copies
        words[f"copy{n}"] = set(words[f"q{n}"]) | ({"extra"} if n % 4 else set())
    brute = sorted(
        (a, b) for a, b in combinations(sorted(words), 2) if len(words[a] & words[b]) >= 0.8 * len(words[a] | words[b])
    )
    assert len(brute) >= 15
    assert near_duplicates(words) == brute


def test_near_duplicates_are_capped_on_a_pack_of_copies() -> None:
    same = {f"q{n}": {"train", "model", "data", "split"} for n in range(MAX_PACK_QUESTIONS)}
    assert len(near_duplicates(same)) == MAX_NEAR_DUPLICATES


# -- conventions --------------------------------------------------------------------------------
def test_version_names_the_package_and_the_bank() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.output.startswith("interviewer 0.") and "bank " in result.output and "@" in result.output


def test_help_documents_exit_codes_and_offers_completion() -> None:
    flat = " ".join(run_cli("--help").output.split())
    assert "Exit codes: 0 done · 1 error" in flat and "2 usage · 3 model provider" in flat
    assert "--install-completion" in flat and "--show-completion" in flat


@pytest.mark.parametrize("env", [{"NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "xterm-256color"}, {}])
def test_no_color_and_a_pipe_give_plain_output(env: dict[str, str]) -> None:
    result = interviewer("bank", "list", *PACK_ARGS, env=env)
    assert result.returncode == 0
    assert "imbalanced-data" in result.stdout and "\x1b[" not in result.stdout


def test_force_color_alone_does_colour_the_output() -> None:
    """The check above can fail: the same command does emit ANSI when colour is forced."""
    result = interviewer("bank", "list", *PACK_ARGS, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert "\x1b[" in result.stdout


# -- small things -------------------------------------------------------------------------------
def test_one_question_is_not_plural(transcripts: Path) -> None:
    result = run_cli("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "1", input=blocks("/quit"))
    assert "1 question" in result.output and "1 questions" not in result.output
    listing = run_cli("bank", "list", *PACK_ARGS, "--round", "behavioral")
    assert "1 question" in listing.output and "1 questions" not in listing.output


def test_an_unknown_command_says_so_and_shows_the_commands(transcripts: Path) -> None:
    result = run_cli(
        "start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "1", input=blocks("/hnit", "/quit")
    )
    assert "/hnit is not a command." in result.output
    assert "/hint:" in result.output  # the help follows


def test_review_show_accepts_options_after_the_subcommand(transcripts: Path) -> None:
    run_cli("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "1", input=blocks(ANSWER, "/quit"))
    [folder] = sessions(transcripts)
    shown = run_cli("review", "show", folder.name[:10], "--transcripts-dir", str(transcripts))
    assert shown.exit_code == 0 and "Mock interview" in shown.output
    progress = run_cli("review", "progress", "--transcripts-dir", str(transcripts))
    assert progress.exit_code == 0 and "Progress by topic" in progress.output


def test_ids_are_never_cut_at_80_columns(transcripts: Path) -> None:
    run_cli("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "1", input=blocks(ANSWER, "/quit"))
    [folder] = sessions(transcripts)
    narrow = {"COLUMNS": "80"}
    listing = interviewer("review", "--transcripts-dir", str(transcripts), env=narrow)
    assert folder.name in listing.stdout
    bank = interviewer("bank", "list", env=narrow)
    assert "realtime-recommendation-system-design" in bank.stdout
    assert all(len(line) <= 80 for line in bank.stdout.splitlines() + listing.stdout.splitlines())


def test_the_bottom_bar_counts_down_and_says_when_time_is_up() -> None:
    assert clock_text(None, 100.0) is None
    assert clock_text(1_000.0, 1_000.0 - 125) == "2:05 left"
    assert clock_text(1_000.0, 1_000.5).startswith("time is up")


@pytest.mark.parametrize("key", ["\r", "\x1b\r"], ids=["enter", "alt-enter"])
def test_enter_continues_at_the_round_break(key: str) -> None:
    console = Console(file=StringIO(), width=80)
    with create_pipe_input() as keys:
        io = TerminalIO(console, input=keys, output=DummyOutput())
        keys.send_text(key + ANSWER + "\r\r")
        keys.close()
        io.round_break("ml_concepts")
        assert io.read_answer() == ANSWER  # the Enter ended the break; the answer went to the next prompt
    assert "break · next: ml concepts" in console.file.getvalue()


def test_waiting_for_grades_shows_progress_on_a_terminal() -> None:
    console = Console(file=StringIO(), width=80, force_terminal=True)
    futures: list[Future[None]] = [Future(), Future()]
    for future in futures:
        future.set_result(None)
    PipedIO(StringIO(""), console).wait_for_all("Grading your answers", futures)
    assert "Grading your answers (2/2 done)" in console.file.getvalue()


def test_the_bottom_bar_shows_the_time_left_in_a_timed_session() -> None:
    with create_pipe_input() as keys:
        io = TerminalIO(Console(file=StringIO()), input=keys, output=DummyOutput(), clock=lambda: 1_000.0)
        io.attach(
            SimpleNamespace(offline=True, name="offline"),
            "offline",
            SimpleNamespace(time_limit_s=600, started_at=900.0),
        )
        assert io.bottom_bar().startswith("8:20 left · ")
        io.clock = lambda: 1_600.0
        assert io.bottom_bar().startswith("time is up")


def test_a_spinner_names_the_model_while_the_first_words_are_awaited() -> None:
    console = Console(file=StringIO(), width=80, force_terminal=True)
    io = PipedIO(StringIO(), console)
    model = SimpleNamespace(offline=False, name="openai/gpt-4o-mini")
    io.attach(model, model.name, SimpleNamespace(time_limit_s=None, started_at=0.0))
    assert io.interviewer(iter(["Tell me about a model you shipped."])) == "Tell me about a model you shipped."
    assert "waiting for openai/gpt-4o-mini" in console.file.getvalue()


class PurePackLoader(loader.UniqueKeys, yaml.SafeLoader):
    """The loader a PyYAML built without libyaml gives."""


@pytest.fixture(params=["libyaml", "pure"])
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Packs read with libyaml (when PyYAML has it) and with the pure-Python loader it falls back to."""
    if request.param == "pure":
        monkeypatch.setattr(loader, "PackLoader", PurePackLoader)
    return request.param


def test_both_loaders_reject_duplicate_keys_with_the_line(tmp_path: Path, yaml_loader: str) -> None:
    pack = tmp_path / "dup.yaml"
    pack.write_text(pack_text(**{"    topic: evaluation\n": "    topic: evaluation\n    topic: metrics\n"}))
    with pytest.raises(loader.BankError, match=r"dup.yaml: not valid YAML: line 9, column 5: duplicate key 'topic'"):
        loader.load_pack(pack)


def test_both_loaders_turn_deep_nesting_into_one_line(tmp_path: Path, yaml_loader: str) -> None:
    pack = tmp_path / "deep.yaml"
    pack.write_text("pack: deep\nversion: '1'\nquestions: " + "[" * 20_000 + "]" * 20_000 + "\n")
    with pytest.raises(loader.BankError) as raised:
        loader.load_pack(pack)
    message = str(raised.value)
    assert message.startswith(f"{pack}: ") and "\n" not in message and len(message) < 200


def test_libyaml_and_the_pure_loader_read_the_built_in_bank_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = loader.load_bank()
    monkeypatch.setattr(loader, "PackLoader", PurePackLoader)
    slow = loader.load_bank()
    assert len(fast.questions) > 50 and fast.questions == slow.questions


def test_a_terminal_that_cannot_encode_the_output_gets_replacements_not_a_traceback() -> None:
    result = interviewer("bank", "rounds", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "full_loop" in result.stdout and "?" in result.stdout


def test_exit_codes_separate_errors_from_usage(tmp_path: Path, transcripts: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(pack_text(**{"difficulty: medium": "difficulty: brutal"}))
    broken_pack = run_cli("start", "--bank", str(bad), "--no-builtin", "--transcripts-dir", str(transcripts))
    assert broken_pack.exit_code == 1 and "bad.yaml" in broken_pack.output
    assert run_cli("bank", "show", "no-such-question", *PACK_ARGS).exit_code == 1
    unknown_round = run_cli("start", *PACK_ARGS, "--round", "no-such-round", "--transcripts-dir", str(transcripts))
    assert unknown_round.exit_code == 2 and "no-such-round" in unknown_round.output
    assert run_cli("bank", "list", "--round", "no-such-round").exit_code == 2
    assert run_cli("no-such-command").exit_code == 2
