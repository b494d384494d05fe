"""Missing services skip locally but fail in CI, so CI cannot pass by skipping."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Require = Callable[[object, str], None]


def test_require_skips_outside_ci(require: Require, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)

    require(True, "present")
    with pytest.raises(pytest.skip.Exception, match="absent"):
        require(False, "absent")


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_require_fails_in_ci(require: Require, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)

    with pytest.raises(pytest.fail.Exception, match="required in CI: absent"):
        require(False, "absent")


def test_local_services_answer(postgres_url: str, redis_url: str) -> None:
    assert postgres_url.startswith("postgres://")
    assert redis_url.startswith("redis://")
