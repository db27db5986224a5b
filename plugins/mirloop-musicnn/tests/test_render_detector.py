"""The render detector: render-like or a real recording, from a track's mean musicnn tags."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from mirloop.errors import ConfigError

from mirloop_musicnn.render_detector import (
    COLUMNS,
    DEFAULT_DETECTOR,
    RenderDetector,
    fit_render_detector,
    load_render_detector,
    render_means,
    tag_matrix,
    write_render_detector,
)
from mirloop_musicnn.tags import MSD_TAGS, MTT_TAGS

#: The project's real-dev clips (``../shared/data/real-dev`` beside the repository, or $MIRLOOP_REAL_DEV).
REAL_DEV = Path(
    os.environ.get("MIRLOOP_REAL_DEV") or Path(__file__).resolve().parents[3].parent / "shared/data/real-dev"
)


def _detector(intercept: float = 0.0, threshold: float = 0.5) -> RenderDetector:
    return RenderDetector(coefficients=np.linspace(-1.0, 1.0, len(COLUMNS)), intercept=intercept,
                          threshold=threshold, source="test")


def test_the_shipped_detector_weighs_every_tag_of_both_models() -> None:
    detector = load_render_detector()

    assert detector.path == DEFAULT_DETECTOR
    assert detector.coefficients.shape == (len(MTT_TAGS) + len(MSD_TAGS),) == (len(COLUMNS),)
    assert np.all(np.isfinite(detector.coefficients)) and 0.0 < detector.threshold < 1.0
    assert "unlabelled recordings" in detector.source


def test_a_written_detector_reads_back_the_same(tmp_path: Path) -> None:
    detector = _detector(intercept=-0.25, threshold=0.6)

    again = load_render_detector(write_render_detector(detector, tmp_path / "detector.toml"))

    np.testing.assert_allclose(again.coefficients, detector.coefficients, rtol=1e-5)
    assert (again.intercept, again.threshold, again.source) == (-0.25, 0.6, "test")
    tags = np.full((3, len(COLUMNS)), 0.2)
    assert again.probability(tags) == pytest.approx(detector.probability(tags), abs=1e-6)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace('"guitar" = ', '"guitarr" = ', 1), "every MTT tag and no other"),
        (lambda text: text.replace("threshold = 0.5", "threshold = 1.5"), "`threshold` must be a number in"),
        (lambda text: text.replace("intercept = ", "intercept = 'x' #", 1), "`intercept` must be a number"),
        (lambda text: text.replace('"rock" = ', '"rock" = "high" #', 1), "needs a finite number"),
        (lambda text: text.replace("format = 1", "format = 7"), "needs `format = 1`"),
        (lambda text: text + "\n[[broken", "cannot read the render detector"),
    ],
)
def test_a_damaged_detector_is_refused_with_the_fix(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    path = write_render_detector(_detector(), tmp_path / "detector.toml")
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")

    with pytest.raises(ConfigError, match=message) as caught:
        load_render_detector(path)
    assert "mirloop-musicnn detector" in str(caught.value)


def test_the_fit_tells_two_tag_profiles_apart() -> None:
    rng = np.random.default_rng(0)
    renders = np.clip(rng.normal(0.3, 0.05, (40, len(COLUMNS))), 0, 1)
    renders[:, 0] = 0.6  # MTT guitar, loud on every render
    recordings = np.clip(rng.normal(0.3, 0.05, (30, len(COLUMNS))), 0, 1)
    recordings[:, 0] = 0.05

    detector = fit_render_detector(renders, recordings, source="two profiles")

    assert all(detector.is_render(r) for r in renders)
    assert not any(detector.is_render(r) for r in recordings)
    assert detector.probability(renders) > 0.9  # a track's windows: their mean is read


def test_features_without_every_tag_column_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"mtt and msd groups on"):
        tag_matrix(np.zeros((2, 50)), COLUMNS[:50], what="the given features")


def test_renders_without_musicnn_features_are_refused(tmp_path: Path) -> None:
    import pandas as pd

    pd.DataFrame({"render_id": ["a", "a"], "rms_mean": [0.1, 0.2]}).to_parquet(tmp_path / "features.parquet")

    with pytest.raises(ConfigError, match="lacks the musicnn tag columns"):
        render_means(tmp_path)


@pytest.mark.usefixtures("exported")
def test_a_render_sounds_like_a_render_and_a_real_recording_does_not() -> None:
    """The shipped detector on audio it was not fitted on: a fresh render of the catalog and a
    labelled real-dev clip (labelled tracks never enter the fit)."""
    from mirloop.io.audio import load_audio
    from mirloop.pipelines.analyze import _analysis_signal
    from mirloop.renderer.api import render_descriptor
    from mirloop.signal import TrackContext

    from mirloop_musicnn import MusicnnFeatures

    clip = REAL_DEV / "flare__battle_theme.ogg"  # an orchestral game theme, a real recording
    if not clip.exists():
        pytest.skip(f"real-dev clip {clip} is not available")
    extract = MusicnnFeatures(librosa=False, embedding=False).extract
    detector = load_render_detector()

    def heard(audio):  # type: ignore[no-untyped-def]
        features = extract(TrackContext(audio))
        return detector.probability(tag_matrix(features.values, features.names, what="the test's features"))

    render = render_descriptor("rock_indie_driving", 15.0, seed=3).audio
    assert heard(_analysis_signal(render)) > detector.threshold
    assert heard(load_audio(clip, mono=True)) < detector.threshold


@pytest.mark.usefixtures("synthetic_weights")
def test_the_detector_command_fits_renders_against_the_unlabelled_recordings(tmp_path: Path) -> None:
    import pandas as pd
    import soundfile
    from mirloop.testing.signals import drum_pattern

    from mirloop_musicnn.cli import main

    rng = np.random.default_rng(1)
    renders = pd.DataFrame(rng.uniform(0.01, 0.9, (8, len(COLUMNS))), columns=list(COLUMNS))
    renders.insert(0, "render_id", [f"r{i // 2}" for i in range(8)])  # 4 renders, 2 windows each
    renders.to_parquet(tmp_path / "features.parquet")
    rows = ["track_id,path,coarse_label,group,source,kind,license,evidence"]
    for i, label in enumerate(("", "", "rock")):  # the labelled track is never read
        audio = drum_pattern(100.0 + 10 * i, 12.0, seed=i)
        soundfile.write(tmp_path / f"t{i}.wav", audio.samples, audio.sr)
        rows.append(f"t{i},t{i}.wav,{label},pkg,pkg 1,recording,GPL-2,{'named' if label else ''}")
    (tmp_path / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "detector.toml"

    assert main(["detector", str(tmp_path), str(tmp_path / "manifest.csv"), "-o", str(out)]) == 0

    detector = load_render_detector(out)
    assert detector.source.startswith("4 renders") and "against 2 unlabelled recordings" in detector.source
