"""The loop's figure is drawn from the few arrays it plots, taken from each analysis as soon as it
exists: no analysis of the input or of a render is kept while the renders are made, and the
figure plots what it plotted when it was drawn from the analyses themselves."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mirloop.loop import track as track_module
from mirloop.loop.figures import ENVELOPE_COLUMNS, input_curves, render_curves, track_figure
from mirloop.loop.run import run_loop
from mirloop.loop.settings import LoopSettings
from mirloop.pipelines.analyze import analyze_file, resolve_analysis_config
from mirloop.signal.sample_file import column_extremes
from mirloop.signal.sample_file import peak as sample_peak

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


def test_no_analysis_is_alive_while_a_render_is_made(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[weakref.ref[Any]] = []
    alive_at_renders: list[int] = []

    def remembered(analyse: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            run = analyse(*args, **kwargs)
            runs.append(weakref.ref(run))
            return run

        return wrapper

    def counted(job: Any, renderer: Any, **kwargs: Any) -> Any:
        gc.collect()
        alive_at_renders.append(sum(ref() is not None for ref in runs))
        return hear_render(job, renderer, **kwargs)

    hear_render = track_module.hear_render
    monkeypatch.setattr(track_module, "analyze_file", remembered(track_module.analyze_file))
    monkeypatch.setattr(track_module, "analyze_samples", remembered(track_module.analyze_samples))
    monkeypatch.setattr(track_module, "hear_render", counted)

    settings = LoopSettings(renders=2, descriptors=1, tempi=1, keys=1, seed=0)
    report = run_loop([tracks["reference"]], tmp_path / "out", model=tiny_model, settings=settings)

    (track,) = report.tracks
    assert track["ok"], track["error"]
    assert len(alive_at_renders) == 3  # one single-region and two multi-region renders
    assert len(runs) == 4  # the input and each render analysed
    assert alive_at_renders == [0, 0, 0]
    assert (tmp_path / "out" / "reference" / "loop.png").stat().st_size > 0
    assert (tmp_path / "out" / "reference" / "input.ogg").stat().st_size > 0


def test_the_curves_are_the_arrays_the_analyses_give_the_figure(
    tracks: dict[str, Path], tmp_path: Path
) -> None:
    run = analyze_file(tracks["reference"], config=resolve_analysis_config(None))
    context, analysis = run.context, run.analysis

    source = input_curves(run)
    drawn = render_curves(run)  # the same track, heard as a render

    samples = context.samples
    low, high = column_extremes(samples, ENVELOPE_COLUMNS)
    peak = sample_peak(samples)
    for curves in (source, drawn):
        np.testing.assert_array_equal(curves.envelope.low, low / peak)
        np.testing.assert_array_equal(curves.envelope.high, high / peak)
        column = len(samples) // ENVELOPE_COLUMNS
        np.testing.assert_array_equal(
            curves.envelope.times, (np.arange(ENVELOPE_COLUMNS) + 0.5) * column / context.sr
        )
        np.testing.assert_array_equal(curves.chroma.columns, context.chroma)  # a short track: every column
        assert curves.chroma.seconds == context.chroma.shape[1] / context.chroma_frame_rate
    assert analysis.segmentation is not None and len(analysis.segmentation.segments) > 1
    assert source.segments == tuple(analysis.segmentation.segments)
    assert source.duration == analysis.duration
    assert drawn.boundaries == tuple(analysis.segmentation.boundaries)

    path = track_figure(source, drawn, tmp_path / "loop.png", title="reference")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
