"""Hostile timeline documents give one TimelineError, never a traceback or a hang."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from mirloop.errors import TimelineError
from mirloop.timeline import Timeline
from tests.timeline.conftest import two_regions


def tempo_changes(n: int) -> dict[str, Any]:
    """One region with ``n`` set_tempo actions inside it (n + 3 events)."""
    actions: list[dict[str, Any]] = [{"time": 0, "add_region": {"descriptor": "rock_indie_driving"}}]
    actions += [{"time": 0.01 * (i + 1), "set_tempo": 130 + i % 10} for i in range(n)]
    return {"spans": [{"time": 0, "type": "metered", "tempo": 130, "actions": actions},
                      {"time": 0.01 * n + 1, "type": "unmetered"}]}


def test_a_binary_file_is_not_a_timeline(tmp_path: Path) -> None:
    path = tmp_path / "noise.json"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(TimelineError, match="is not a JSON text file"):
        Timeline.from_json(path)


def test_a_deeply_nested_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(TimelineError, match="nested too deeply"):
        Timeline.from_json(path)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_times_that_are_not_finite_numbers_are_refused_in_json(literal: str) -> None:
    text = Timeline.from_json(two_regions()).dumps().replace('"time": 20.0', f'"time": {literal}')
    with pytest.raises(TimelineError, match=f"holds {literal}"):
        Timeline.from_json(text)


@pytest.mark.parametrize(
    ("where", "value"),
    [(("spans", 2, "time"), float("nan")), (("spans", 2, "time"), float("inf")),
     (("spans", 0, "actions", 0, "time"), float("nan"))],
)
def test_times_that_are_not_finite_numbers_are_refused_from_python(
    where: tuple[Any, ...], value: float
) -> None:
    doc = two_regions()
    target: Any = doc
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(TimelineError, match="is not a finite number"):
        Timeline.from_json(doc)


def test_a_timeline_past_the_event_limit_is_refused_at_once() -> None:
    started = time.perf_counter()
    expected = r"the timeline holds 100003 events, past the limit of 10000 events"
    with pytest.raises(TimelineError, match=expected):
        Timeline.from_json(tempo_changes(100_000))
    assert time.perf_counter() - started < 5


def test_the_event_limit_follows_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIRLOOP_MAX_TIMELINE_EVENTS", "5")
    with pytest.raises(TimelineError, match="MIRLOOP_MAX_TIMELINE_EVENTS"):
        Timeline.from_json(tempo_changes(3))
    monkeypatch.setenv("MIRLOOP_MAX_TIMELINE_EVENTS", "6")
    assert len(Timeline.from_json(tempo_changes(3)).spans) == 2


def test_a_path_holding_a_nul_is_refused() -> None:
    with pytest.raises(TimelineError, match="cannot read timeline file"):
        Timeline.from_json("timeline\x00.json")


@pytest.mark.parametrize("value", [None, 3, [1, 2], True])
def test_a_timeline_that_is_not_an_object_is_refused(value: Any) -> None:
    with pytest.raises(TimelineError):
        Timeline.from_json(value)
