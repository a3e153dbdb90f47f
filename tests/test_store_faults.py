"""Store faults: a bad transcripts folder, a disk that fills up or turns read-only mid-session."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions

ANSWERS = [answers.CV_ANSWER, answers.STRONG_IMBALANCE, answers.STORY] * 3


def start(transcripts: Path, input: str = blocks(*ANSWERS)):
    return run_cli("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "--seed", "1", "-n", "2", input=input)


def one_error_line(output: str) -> str:
    assert "Traceback" not in output
    [line] = [text for text in output.splitlines() if text.startswith("Error:")]
    return line


def test_a_file_where_the_transcripts_folder_should_be(tmp_path: Path) -> None:
    target = tmp_path / "transcripts"
    target.write_text("notes")
    result = start(target)
    assert result.exit_code == 1
    assert one_error_line(result.output) == f"Error: cannot save sessions in {target}: it is a file, not a folder"
    assert target.read_text() == "notes"


def test_a_dangling_symlink_as_the_transcripts_folder(tmp_path: Path) -> None:
    target = tmp_path / "transcripts"
    target.symlink_to(tmp_path / "gone")
    result = start(target)
    assert result.exit_code == 1
    assert "it is a symlink to" in one_error_line(result.output) and "which is missing" in result.output


def test_a_read_only_filesystem_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkdir = os.mkdir

    def read_only(path, *args, **kwargs):
        if str(path).startswith(str(tmp_path)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    result = start(tmp_path / "transcripts")
    assert result.exit_code == 1
    assert "Read-only file system" in one_error_line(result.output)


def _failing(call: str, code: int, monkeypatch: pytest.MonkeyPatch):
    """os.write or os.fsync failing with `code` once the candidate's answer is being saved."""
    real = getattr(os, call)

    def write(fd: int, data) -> int:
        if b'"type":"answered"' in bytes(data):
            raise OSError(code, os.strerror(code))
        return real(fd, data)

    def fsync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if path.endswith("events.jsonl") and b'"type":"answered"' in Path(path).read_bytes().splitlines()[-1]:
            raise OSError(code, os.strerror(code))
        real(fd)

    monkeypatch.setattr(os, call, write if call == "write" else fsync)


@pytest.mark.parametrize(("call", "code"), [("write", errno.ENOSPC), ("fsync", errno.ENOSPC), ("write", errno.EROFS)])
def test_an_answer_that_cannot_be_saved_goes_to_a_fallback_file_whose_path_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, code: int
) -> None:
    fallback_dir = tmp_path / "tmp"
    fallback_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(fallback_dir))
    _failing(call, code, monkeypatch)
    transcripts = tmp_path / "transcripts"
    result = start(transcripts)
    monkeypatch.undo()
    assert result.exit_code == 1
    line = one_error_line(result.output)
    assert f"cannot write {transcripts}" in line and os.strerror(code) in line
    [kept] = fallback_dir.glob("interviewer-unsaved-*.txt")
    assert f"it is in {kept}" in result.output
    assert answers.CV_ANSWER in kept.read_text()
    [folder] = sessions(transcripts)
    log = (folder / "events.jsonl").read_bytes()
    assert b'"type":"answered"' not in log and log.endswith(b"\n")  # no half-written answer left behind
