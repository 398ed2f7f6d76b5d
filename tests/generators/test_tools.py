"""The oracle suite may skip a missing generator on a developer's machine, never in CI."""

from __future__ import annotations

import pytest

from tests.generators import tools


def test_a_missing_generator_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the generator oracle suite"):
        tools.require("hugo", None)


def test_a_missing_generator_is_skipped_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"bash \.ci/generators"):
        tools.require("hugo", None)
