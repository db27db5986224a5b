"""A stage is one record: the configuration, the registry, the analysis and the conformance kit
read what they need of each stage from its :class:`~mirloop.stages.Stage`, so one record added
with :func:`~mirloop.stages.add_stage` makes a new stage configurable, registrable and checkable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pytest

from mirloop import plugins
from mirloop.config import DEFAULT_BACKENDS, defaults, load_config
from mirloop.errors import BackendNotFoundError, ConfigError, PluginError
from mirloop.hookspecs import BACKEND_HOOKS
from mirloop.pipelines.analyze import ANALYSIS_STAGES
from mirloop.plugins import hookimpl
from mirloop.signal import TrackContext
from mirloop.stages import (
    BUILTIN_STAGES,
    PROTOCOLS,
    STAGES,
    Backend,
    Option,
    Stage,
    add_stage,
    remove_stage,
    result_problem,
    stage_names,
)
from mirloop.testing import CHECKS, ConformanceError, check_backend
from mirloop.testing.signals import noise
from mirloop.types import Grid


def test_the_stage_tables_are_read_from_the_records() -> None:
    assert STAGES == ("separator", "features", "tempo", "key", "segmenter", "classifier", "renderer")
    assert {stage.name: stage.protocol for stage in BUILTIN_STAGES} == PROTOCOLS
    assert {stage.name: stage.default for stage in BUILTIN_STAGES} == DEFAULT_BACKENDS
    assert BACKEND_HOOKS["register_inducers"] == ("tempo", "key")
    assert set(CHECKS) == set(STAGES)
    assert STAGES[:-1] == ANALYSIS_STAGES  # the renderer is not part of an analysis
    assert [stage.method for stage in BUILTIN_STAGES] == [
        "separate", "extract", "estimate_tempo", "estimate_key", "segment", "predict", "render"
    ]


# -- a stage that exists only in this test: a loudness meter -----------------------------------------------


@runtime_checkable
class LoudnessMeter(Protocol):
    def measure_loudness(self, ctx: TrackContext) -> float: ...


def loudness_problem(result: Any, grid: Grid | None) -> str | None:
    return None if isinstance(result, float) else f"measure_loudness() returned {type(result).__name__}"


def check_loudness(backend: Backend) -> float:
    level = backend.measure_loudness(TrackContext(noise(6.0)))  # type: ignore[attr-defined]
    problem = result_problem("loudness", level)
    if problem is not None or not level < 0.0:
        raise ConformanceError(f"{type(backend).name}: {problem or f'{level} dBFS is not below 0'}")
    return float(level)


class RmsLoudness(Backend):
    name = "rms"
    stage = "loudness"
    options: ClassVar[dict[str, Option]] = {"floor_db": Option(-120.0, float, "level reported for silence")}

    def measure_loudness(self, ctx: TrackContext) -> float:
        rms = float(np.sqrt(np.mean(np.square(ctx.audio.samples))))
        return max(20.0 * float(np.log10(rms)) if rms > 0 else -np.inf, self.opts["floor_db"])


class _LoudnessPlugin:
    @staticmethod
    @hookimpl
    def register_inducers(register: Any) -> None:  # a hook may serve several stages
        register(RmsLoudness)


LOUDNESS = Stage("loudness", LoudnessMeter, "register_inducers", "rms", check=loudness_problem,
                 conformance=check_loudness)


@pytest.fixture
def loudness(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stage]:
    add_stage(LOUDNESS)
    monkeypatch.setattr(plugins, "_REGISTRY", plugins.build_registry(extra_plugins=(_LoudnessPlugin(),)))
    yield LOUDNESS
    remove_stage("loudness")


def test_one_record_makes_a_stage_configurable_registrable_and_checkable(loudness: Stage) -> None:
    assert stage_names()[-1] == "loudness"
    assert defaults().backend("loudness") == "rms"
    config = load_config({"loudness": {"floor_db": -90}})
    config.validate()
    backend = plugins.registry().create("loudness", config.backend("loudness"), config.options("loudness"))
    assert backend.opts == {"floor_db": -90.0}
    assert -20.0 < check_backend("loudness", "rms") < -5.0  # noise at 0.3 peak: about -14 dBFS
    assert result_problem("loudness", "loud") == "measure_loudness() returned str"
    with pytest.raises(ConfigError, match="option 'floor_db' of backend 'rms' expects float"):
        load_config({"loudness": {"floor_db": "quiet"}}).validate()


def test_without_its_record_the_stage_is_unknown_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = plugins.build_registry(extra_plugins=(_LoudnessPlugin(),))
    monkeypatch.setattr(plugins, "_REGISTRY", registry)

    assert "loudness" not in stage_names()
    assert any("loudness" in failure.error for failure in registry.failures)  # its backend was refused
    with pytest.raises(ConfigError, match="unknown stage 'loudness'"):
        load_config({"loudness": {"backend": "rms"}})
    with pytest.raises(BackendNotFoundError, match="unknown stage 'loudness'"):
        registry.get("loudness", "rms")
    with pytest.raises(ConformanceError, match="unknown stage 'loudness'"):
        check_backend("loudness", RmsLoudness)


def test_a_stage_name_is_taken_once_and_built_in_stages_stay(loudness: Stage) -> None:
    with pytest.raises(PluginError, match="stage 'loudness' already exists"):
        add_stage(loudness)
    with pytest.raises(PluginError, match="stage 'tempo' already exists"):
        add_stage(Stage("tempo", LoudnessMeter, "register_inducers"))
    with pytest.raises(PluginError, match="'key' is built in"):
        remove_stage("key")
