"""The pid-file helpers the kill tests rely on: a pid names our process only, never a later one that reused it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.helpers import alive, read_pids, start_time


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    yield proc
    proc.kill()
    proc.wait()


def test_a_reused_pid_is_not_our_process(sleeper: subprocess.Popen[bytes], tmp_path: Path) -> None:
    # As if our process had died and someone else's had got its pid: same number, another start time.
    pid_file = tmp_path / "pids"
    pid_file.write_text(f"main {sleeper.pid} 1\nchild {sleeper.pid} {start_time(sleeper.pid)}\n")
    pids = read_pids(pid_file)
    assert pids == {"main": sleeper.pid, "child": sleeper.pid}
    assert not alive(pids["main"]), "a pid that started at another time is someone else's"
    assert alive(pids["child"])


def test_a_pid_file_without_start_times_is_read_as_it_is_now(sleeper: subprocess.Popen[bytes], tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    pid_file.write_text(f"main {sleeper.pid}\n")
    pids = read_pids(pid_file)
    assert alive(pids["main"])
    sleeper.kill()
    sleeper.wait()
    assert not alive(pids["main"])
