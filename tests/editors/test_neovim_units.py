"""Unit tests of the Neovim plugin: its pure review modules (claif.review.geometry, claif.review.hunks), and
that every module loads and touches no global of its own.

Each case is a `T.case` of a Lua spec under tests/editors/neovim/unit, run in headless Neovim 0.11; a
spec runs once and each of its cases is one test here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.editors.neovim_harness import UNIT_SPECS, run_lua_spec

pytestmark = pytest.mark.timeout(90)

SPECS = sorted(UNIT_SPECS.glob("*_spec.lua"))
CASE = re.compile(r"^T\.case\('((?:[^'\\]|\\.)*)'", re.MULTILINE)


def declared(spec: Path) -> list[str]:
    """The case names a spec declares, read from its source."""
    return CASE.findall(spec.read_text())


CASES = [pytest.param(spec, name, id=f"{spec.stem}: {name}") for spec in SPECS for name in declared(spec)]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, dict[str, dict[str, Any]]]:
    """Each spec's cases by name, from one Neovim run per spec."""
    results: dict[Path, dict[str, dict[str, Any]]] = {}
    for spec in SPECS:
        cases = run_lua_spec(spec, tmp_path_factory.mktemp(spec.stem))
        results[spec] = {case["name"]: case for case in cases}
    return results


def test_every_spec_declares_cases() -> None:
    assert {spec.stem for spec in SPECS} >= {"geometry_spec", "hunks_spec", "modules_spec"}
    for spec in SPECS:
        assert len(declared(spec)) >= 5, spec


@pytest.mark.parametrize(("spec", "name"), CASES)
def test_lua_case(outcomes: dict[Path, dict[str, dict[str, Any]]], spec: Path, name: str) -> None:
    ran = outcomes[spec]
    assert name in ran, f"{name!r} did not run; the spec ran: {sorted(ran)}"
    assert ran[name]["ok"] is True, ran[name]["error"]


def test_the_runner_reports_a_failing_case_and_a_broken_spec(tmp_path: Path) -> None:
    """A case whose check fails, or one that errors, is reported failed with why; a spec that does not load too."""
    spec = tmp_path / "failing_spec.lua"
    spec.write_text(
        "local T = ...\n"
        "T.case('passes', function() T.eq({ 1, 2 }, { 1, 2 }) end)\n"
        "T.case('fails', function() T.eq(require('claif.review.geometry').text_lines('a\\n'), { 'b' }, 'lines') end)\n"
        "T.case('errors', function() error('boom') end)\n"
    )
    cases = {case["name"]: case for case in run_lua_spec(spec, tmp_path / "run")}
    assert cases["passes"]["ok"] is True
    assert cases["fails"]["ok"] is False
    assert 'lines: expected { "b" }, got { "a" }' in cases["fails"]["error"]
    assert cases["errors"]["ok"] is False and "boom" in cases["errors"]["error"]
    broken = tmp_path / "broken_spec.lua"
    broken.write_text("local T = ...\nT.case('x', function() end\n")
    (only,) = run_lua_spec(broken, tmp_path / "broken")
    assert only["ok"] is False and only["name"] == "(loading the spec)"
