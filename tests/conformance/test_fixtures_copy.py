"""The vendored conformance fixtures are complete and equal the team's shared copy when it is present."""

from __future__ import annotations

import pytest

from tests.conformance.conftest import FIXTURES, SHARED_FIXTURES, scenario_names, snapshot


def test_every_upstream_scenario_is_vendored() -> None:
    assert len(scenario_names()) >= 23
    for name in ("expectations.json", "unit-cases.json", "newer-upstream-scenarios.json", "LICENSE-Apache-2.0.txt"):
        assert (FIXTURES / name).is_file(), name


def test_vendored_fixtures_equal_the_shared_copy() -> None:
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"no shared copy at {SHARED_FIXTURES.resolve()} to compare with")
    assert snapshot(FIXTURES) == snapshot(SHARED_FIXTURES)
