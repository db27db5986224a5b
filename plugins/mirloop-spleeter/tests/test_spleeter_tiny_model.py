"""End to end without network: spleeter's own training code makes a tiny model, the worker
separates with it. Needs the spleeter environment (`mirloop-spleeter setup`); about a minute."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from mirloop.errors import ModelError
from mirloop.testing import check_backend
from mirloop.types import Audio

from mirloop_spleeter import SpleeterSeparator
from mirloop_spleeter.environment import is_ready
from mirloop_spleeter.tiny_model import accompaniment, train_tiny_model, vocal_line

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not is_ready(), reason="no spleeter environment; run `mirloop-spleeter setup`"),
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tiny_model(tmp_path_factory.mktemp("spleeter") / "tiny", steps=10)


def test_training_leaves_a_complete_checkpoint_and_its_configuration(tiny_model: Path) -> None:
    assert (tiny_model / "checkpoint").read_text().startswith('model_checkpoint_path: "model.ckpt-10"')
    assert (tiny_model / "params.json").is_file()


def test_the_tiny_model_separates_through_the_worker_and_conforms(tiny_model: Path) -> None:
    stems = check_backend("separator", SpleeterSeparator, model_path=str(tiny_model))
    assert set(stems) == {"vocals", "accompaniment"}


def test_stems_keep_the_input_rate_length_and_channels(tiny_model: Path) -> None:
    mono = vocal_line(5.0, seed=3, sr=22050) + accompaniment(5.0, seed=2, sr=22050)
    stems = SpleeterSeparator(model_path=str(tiny_model)).separate(Audio(mono, 22050))
    for stem in stems.values():
        assert (stem.sr, stem.channels, stem.n_samples) == (22050, 1, mono.size)
        assert np.abs(stem.samples).max() > 0


def test_a_checkpoint_losing_its_weights_is_refused(tiny_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken, ignore=shutil.ignore_patterns("*.data-*", "training-data"))
    with pytest.raises(ModelError, match=r"no model\.ckpt-10\.data-\* weight file"):
        SpleeterSeparator(model_path=str(broken)).separate(Audio(np.zeros(22050), 22050))
