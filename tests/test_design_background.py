"""The design study's second process (the frontier) stops when the wait for it is
interrupted: a web run cancelled while the frontier is solved must not leave it running."""

from __future__ import annotations

import time

import pytest

from shoring.optimize.design.study import POLL_SECONDS, _Background


class StopError(Exception):
    """What a cancelled run's progress callback raises."""


def test_a_raising_progress_stops_the_wait_and_the_worker() -> None:
    said: list[str] = []

    def progress(message: str) -> None:
        said.append(message)
        raise StopError

    start = time.monotonic()
    with pytest.raises(StopError), _Background(parallel=True) as background:
        background.start(time.sleep, 600)  # a frontier that would take 10 minutes
        assert background.future is not None, "no second process could start"
        workers = list(background.pool._processes.values())  # type: ignore[union-attr]
        background.result(progress, "cost-risk frontier (second process)")
    assert said == ["cost-risk frontier (second process)"]
    deadline = time.monotonic() + 10
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(w.is_alive() for w in workers), "the frontier's process still runs"
    assert time.monotonic() - start < 30 + POLL_SECONDS
