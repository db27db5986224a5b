"""A plugin that adds a stage: ``loudness``, the RMS level of the track and of each grid window.

It is a complete mirloop plugin in one module (see "Adding a stage" in docs/plugin-tutorial.md):
the stage's record goes to ``register_stages``, its backend to ``register_backends``. Name the
module in an entry point of the ``mirloop`` group and ``mirloop analyze`` runs the stage after
the built-in ones, writes its result into each track's JAMS file (a ``blob`` annotation) and the
run summary, and ``--use loudness=none`` switches it off. The level is an RMS estimate in dBFS
(a full-scale sine reads -3 dBFS), not a K-weighted loudness in LUFS.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from attrs import frozen

from mirloop import hookimpl
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option, Stage
from mirloop.types import Grid


@frozen(eq=False)
class Loudness:
    """The RMS level (dBFS) of the whole track and of each window of its grid."""

    track_dbfs: float
    window_dbfs: np.ndarray
    grid: Grid

    def to_json(self) -> dict[str, Any]:
        """The summary's and the JAMS sandbox's view of the result."""
        return {"unit": "dBFS", "track": round(self.track_dbfs, 2),
                "windows": [round(float(level), 2) for level in self.window_dbfs]}

    def to_jams(self) -> dict[str, Any]:
        """One ``blob`` annotation: the level of each 10-s window."""
        observations = [
            {"time": float(start), "duration": float(end - start), "value": float(level), "confidence": None}
            for start, end, level in zip(self.grid.starts, self.grid.ends, self.window_dbfs)
        ]
        return {"namespace": "blob", "observations": observations,
                "sandbox": {"unit": "dBFS", "track_dbfs": self.track_dbfs}}

    def describe(self) -> str:
        """A few words for the ``mirloop analyze`` summary table."""
        return f"{self.track_dbfs:.1f} dBFS"


@runtime_checkable
class LoudnessMeter(Protocol):
    """The stage's protocol: its first public method is the one the analysis calls."""

    def measure_loudness(self, ctx: TrackContext) -> Loudness: ...


def loudness_problem(result: Any, grid: Grid | None) -> str | None:
    """The stage's result check (cheap: type and shape), run on every result as it returns."""
    if not isinstance(result, Loudness):
        return f"measure_loudness() returned {type(result).__name__}, not Loudness"
    if grid is not None and result.window_dbfs.shape != (grid.n_windows,):
        return f"window_dbfs has shape {result.window_dbfs.shape}, the grid has {grid.n_windows} windows"
    return None


def rms_dbfs(samples: np.ndarray, *, floor_db: float) -> float:
    """The RMS level of ``samples`` in dB relative to a full-scale square wave, at least ``floor_db``."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
    return max(20.0 * float(np.log10(rms)), floor_db) if rms > 0.0 else floor_db


class RmsLoudness(Backend):
    """The track's and each window's RMS level."""

    name = "rms"
    stage = "loudness"
    summary = "RMS level (dBFS) of the track and of each 10-s window"
    options: ClassVar[dict[str, Option]] = {
        "floor_db": Option(-120.0, float, "level reported for digital silence (dBFS)"),
    }

    def measure_loudness(self, ctx: TrackContext) -> Loudness:
        floor = self.opts["floor_db"]
        samples, sr, grid = ctx.samples, ctx.sr, ctx.grid
        windows = np.array([
            rms_dbfs(samples[int(start * sr):int(end * sr)], floor_db=floor)
            for start, end in zip(grid.starts, grid.ends)
        ])
        return Loudness(rms_dbfs(samples, floor_db=floor), windows, grid)


def check_loudness(backend: Backend) -> Loudness:
    """The conformance kit's check: a -20 dBFS sine must measure -23 dBFS (RMS of a sine: peak - 3 dB)."""
    from mirloop.signal import ANALYSIS_SR
    from mirloop.testing import ConformanceError
    from mirloop.types import Audio

    t = np.arange(int(12 * ANALYSIS_SR)) / ANALYSIS_SR
    tone = (10 ** (-20 / 20) * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    ctx = TrackContext(Audio(tone, ANALYSIS_SR))
    result = backend.measure_loudness(ctx)  # type: ignore[attr-defined]
    problem = loudness_problem(result, ctx.grid)
    if problem is None and abs(result.track_dbfs - (-20 - 10 * np.log10(2))) > 0.1:
        problem = f"a -20 dBFS sine measured {result.track_dbfs:.2f} dBFS, expected -23.01"
    if problem is not None:
        raise ConformanceError(f"loudness backend {type(backend).name!r}: {problem}")
    return result


LOUDNESS = Stage("loudness", LoudnessMeter, default="rms", analysis=True, check=loudness_problem,
                 conformance=check_loudness)


@hookimpl
def register_stages(register: Any) -> None:
    register(LOUDNESS)


@hookimpl
def register_backends(register: Any) -> None:
    register(RmsLoudness)
