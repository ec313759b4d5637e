"""Shared plumbing of the fake agent CLIs (claude, codex, gemini) in this folder.

Environment variables (all optional):

- ``FAKE_CLI_SCENARIO``: ``normal`` (default), ``slow``, ``malformed``, ``crash``, ``auth``, ``hang``,
  ``stubborn``, ``tools``, ``exit:<code>``.
- ``FAKE_CLI_ANSWER_FILE``: a file whose content is the model's final answer.
- ``FAKE_CLI_DELAY``: seconds between streamed pieces in the ``slow``/``stubborn`` scenarios (default 60).
- ``FAKE_CLI_PID_FILE``: the fake appends ``main <pid> <start>`` and ``child <pid> <start>`` lines to it (the
  start time tells a reused pid apart), and spawns a
  child process (a sleeper in the same process group) so tests can prove the whole group is killed.
- ``FAKE_CLI_RECORD_FILE``: the fake writes a JSON object with its argv, cwd, stdin and selected
  environment variables there, so tests can check what the provider ran.
- Sessions: each run keeps its session id in ``$HOME/.fake-<cli>-sessions/`` as the real CLIs keep theirs under
  HOME; resuming an id not kept there fails the way the real CLI does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

DEFAULT_ANSWER = "Hello from the fake {cli} CLI.\nThis answer arrived in pieces."


def scenario() -> str:
    """The selected scenario."""
    return os.environ.get("FAKE_CLI_SCENARIO", "normal")


def answer(cli: str) -> str:
    """The final answer text: the answer file's content, or a fixed greeting."""
    path = os.environ.get("FAKE_CLI_ANSWER_FILE")
    if path:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    return DEFAULT_ANSWER.format(cli=cli)


def pieces(text: str, count: int = 4) -> list[str]:
    """Split ``text`` into about ``count`` non-empty pieces that join back to it."""
    if not text:
        return [""]
    size = max(1, -(-len(text) // count))
    return [text[i : i + size] for i in range(0, len(text), size)]


def delay() -> float:
    """Seconds between pieces in the slow scenarios."""
    return float(os.environ.get("FAKE_CLI_DELAY", "60"))


def emit(obj: dict[str, Any]) -> None:
    """Write one JSON line to stdout and flush it."""
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def raw(line: str) -> None:
    """Write one raw line to stdout and flush it."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def err(text: str) -> None:
    """Write to stderr and flush it."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def start(cli: str, stdin_text: str | None = None, parsed: dict[str, Any] | None = None) -> None:
    """Record the invocation (and the options as the CLI parsed them), write the pid file and spawn the child."""
    if scenario() == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    record = os.environ.get("FAKE_CLI_RECORD_FILE")
    if record:
        env_keys = [
            k
            for k in os.environ
            if k.startswith(("FAKE_", "ANTHROPIC", "CLAIF", "CLAUDE", "CODEX", "GEMINI", "OPENAI", "GOOGLE"))
        ]
        with open(record, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "cli": cli,
                    "argv": sys.argv[1:],
                    "cwd": os.getcwd(),
                    "stdin": stdin_text,
                    "env": {k: os.environ[k] for k in env_keys},
                    "pgid": os.getpgid(0),
                    "pid": os.getpid(),
                    "parsed": parsed,
                },
                fh,
            )
    pid_file = os.environ.get("FAKE_CLI_PID_FILE")
    if pid_file:
        ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if scenario() == "stubborn" else ""
        child = subprocess.Popen(
            [sys.executable, "-c", f"import signal, time; {ignore}print(flush=True); time.sleep(3600)"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        # Only once the child runs (ignoring SIGTERM if stubborn) may a test see its pid and start killing.
        assert child.stdout is not None
        child.stdout.readline()
        with open(pid_file, "a", encoding="utf-8") as fh:
            fh.write(f"main {os.getpid()} {start_time(os.getpid())}\nchild {child.pid} {start_time(child.pid)}\n")


def start_time(pid: int) -> str:
    """When ``pid`` started, from /proc (tests use it to tell a reused pid from ours); empty without /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def hang() -> None:
    """Never answer."""
    while True:
        time.sleep(3600)


def exit_code_scenario() -> int | None:
    """The code of an ``exit:<code>`` scenario, else None."""
    name = scenario()
    if name.startswith("exit:"):
        return int(name.split(":", 1)[1])
    return None


def sessions_dir(cli: str) -> str:
    """Where the fake ``cli`` keeps the ids of its sessions (under HOME, as the real CLIs do)."""
    return os.path.join(os.environ.get("HOME", ""), f".fake-{cli}-sessions")


def remember_session(cli: str, session: str) -> None:
    """Keep ``session`` so a later run can resume it."""
    os.makedirs(sessions_dir(cli), exist_ok=True)
    with open(os.path.join(sessions_dir(cli), session), "a", encoding="utf-8"):
        pass


def has_session(cli: str, session: str) -> bool:
    """Whether an earlier run kept ``session``."""
    return os.path.isfile(os.path.join(sessions_dir(cli), session))
