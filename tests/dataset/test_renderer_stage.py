"""A dataset is rendered by the configured renderer stage, as the loop's renders are.

``--use renderer=NAME`` (or a configuration file) chooses the backend; its options, the run's
sample rate and randomisation reach it; its result is checked as the loop checks a render's;
the folder records which renderer made it, so a resume with another one is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from mirloop import plugins
from mirloop.classify.feature_table import DatasetInfo
from mirloop.dataset.generate import GenerationReport, generate_dataset
from mirloop.errors import DatasetError, MirloopError
from tests.dataset import renderer_backends

#: One descriptor, one 3-s render, kept as 16-bit FLAC so the samples can be compared.
ONE = {"per_descriptor": 1, "durations": [3.0], "limit_descriptors": 1, "workers": 1,
       "progress": False, "audio_format": "flac"}


@pytest.fixture(autouse=True)
def renderer_registry(monkeypatch: pytest.MonkeyPatch) -> plugins.Registry:
    """The installed plugins plus :mod:`tests.dataset.renderer_backends`."""
    registry = plugins.build_registry(extra_plugins=(renderer_backends,))
    monkeypatch.setattr(plugins, "_REGISTRY", registry)
    return registry


def generated(root: Path, renderer: dict[str, Any] | None = None, **settings: Any) -> GenerationReport:
    config = {"renderer": renderer} if renderer else None
    return generate_dataset(root, **{**ONE, **settings}, config=config)  # type: ignore[arg-type]


def stored_samples(root: Path) -> np.ndarray:
    (path,) = sorted((root / "renders").rglob("*.flac"))
    samples, _ = sf.read(path, dtype="int16")
    return samples.astype(np.float64)


def test_the_renders_are_the_configured_renderers(tmp_path: Path) -> None:
    built_in = generated(tmp_path / "built-in")
    half = generated(tmp_path / "half", {"backend": "half-gain"})

    assert not built_in.failures and not half.failures
    loud, quiet = stored_samples(tmp_path / "built-in"), stored_samples(tmp_path / "half")
    assert np.abs(loud).max() > 1000
    # stored as 16-bit values: the half-gain render is the built-in one halved, to rounding
    np.testing.assert_allclose(quiet, loud * renderer_backends.GAIN, atol=1.0)
    assert DatasetInfo.read(tmp_path / "half").generation["renderer"] == "half-gain"
    assert DatasetInfo.read(tmp_path / "built-in").generation["renderer"] == "mirloop"


def test_a_resume_with_another_renderer_or_its_options_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "data"
    assert not generated(root, {"backend": "half-gain"}).failures

    with pytest.raises(DatasetError, match="renderer: 'half-gain' in the folder vs 'mirloop' now"):
        generated(root)
    with pytest.raises(DatasetError, match=r"renderer option reverb: 0\.18 in the folder vs 0\.0 now"):
        generated(root, {"backend": "half-gain", "reverb": 0.0})
    assert generated(root, {"backend": "half-gain"}).already_done == 1


def test_a_folder_records_every_renderer_option_and_an_older_record_keeps_its_former_defaults(
    tmp_path: Path,
) -> None:
    import json

    from mirloop.renderer.option_table import OPTIONS

    root = tmp_path / "data"
    assert not generated(root, {"production": "gm"}).failures
    path = root / "dataset.json"
    record = json.loads(path.read_text())
    options = record["generation"]["renderer_options"]
    assert set(options) == set(OPTIONS) and options["production"] == "gm" and options["sr"] == 44100

    # a folder written when GM was the default production recorded only what was set
    record["generation"]["renderer_options"] = {"randomize": "none", "sr": 44100}
    path.write_text(json.dumps(record))
    refused = r"production: 'gm' in the folder vs 'genre' now.*--set renderer\.production=gm"
    with pytest.raises(DatasetError, match=refused):
        generated(root)  # today's default would mix genre renders into a GM dataset
    assert generated(root, {"production": "gm"}).already_done == 1


def test_a_renderer_without_a_rate_option_renders_at_its_own_rate(tmp_path: Path) -> None:
    report = generated(tmp_path / "data", {"backend": "fixed-rate", "wet": 0.3})

    assert not report.failures
    generation = DatasetInfo.read(tmp_path / "data").generation
    assert generation["renderer"] == "fixed-rate"
    assert generation["renderer_options"] == {"wet": 0.3}
    with pytest.raises(DatasetError, match="renderer 'fixed-rate' has no 'sr' option"):
        generated(tmp_path / "other", {"backend": "fixed-rate"}, sr=22050)
    with pytest.raises(DatasetError, match="no 'randomize' option"):
        generated(tmp_path / "other", {"backend": "fixed-rate"}, randomize="mix")
    assert not (tmp_path / "other").exists()


def test_a_render_that_is_not_a_render_result_fails_that_render_by_name(tmp_path: Path) -> None:
    report = generated(tmp_path / "data", {"backend": "audio-only"})

    assert not report.collected
    (failure,) = report.failures
    assert "renderer 'audio-only'" in failure.error and "RenderResult" in failure.error


def test_an_unknown_renderer_is_named_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(MirloopError, match="no-such-renderer"):
        generated(tmp_path / "data", {"backend": "no-such-renderer"})
    assert not (tmp_path / "data").exists()
