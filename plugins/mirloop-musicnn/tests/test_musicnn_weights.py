"""Loading exported weights: complete ones load; missing, partial or mismatched ones are refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mirloop.errors import ModelError

from mirloop_musicnn.export import is_exported
from mirloop_musicnn.network import N_FRAMES, N_MELS, PENULTIMATE_UNITS
from mirloop_musicnn.weights import WEIGHTS_VARIABLE, default_weights_dir, load_model, sha256_of


def rewrite_array(folder: Path, model: str, key: str, value: np.ndarray) -> None:
    """Replace one array and update the sidecar's checksum, so only the array itself is wrong."""
    path = folder / f"{model}.npz"
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    if value.size:
        arrays[key] = value
    else:
        del arrays[key]
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    sidecar = json.loads((folder / f"{model}.json").read_text())
    sidecar["sha256"] = sha256_of(path)
    (folder / f"{model}.json").write_text(json.dumps(sidecar))


def test_complete_weights_load_and_tag_patches(own_copy: Path) -> None:
    model = load_model("MSD_musicnn", own_copy)
    patches = np.random.default_rng(0).random((3, N_FRAMES, N_MELS)).astype(np.float32)

    output = model(patches)

    assert model.tags[:2] == ("rock", "pop")
    assert output.tags.shape == (3, 50) and output.penultimate.shape == (3, PENULTIMATE_UNITS)
    assert ((output.tags > 0) & (output.tags < 1)).all()
    assert is_exported(own_copy)


def test_the_environment_variable_moves_the_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WEIGHTS_VARIABLE, str(tmp_path / "elsewhere"))

    assert default_weights_dir() == tmp_path / "elsewhere"
    with pytest.raises(ModelError, match=r"elsewhere does not exist; run `mirloop-musicnn setup`"):
        load_model("MTT_musicnn")


def test_a_missing_weights_file_is_refused(own_copy: Path) -> None:
    (own_copy / "MTT_musicnn.npz").unlink()

    with pytest.raises(ModelError, match=r"MTT_musicnn\.npz is missing.*mirloop-musicnn setup --weights"):
        load_model("MTT_musicnn", own_copy)
    assert not is_exported(own_copy)


def test_an_export_without_its_sidecar_is_partial(own_copy: Path) -> None:
    (own_copy / "MSD_musicnn.json").unlink()

    with pytest.raises(ModelError, match=r"MSD_musicnn\.json is missing \(an unfinished or partial export\)"):
        load_model("MSD_musicnn", own_copy)


def test_a_damaged_file_fails_its_checksum(own_copy: Path) -> None:
    path = own_copy / "MTT_musicnn.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(ModelError, match=r"MTT_musicnn\.npz does not match its sidecar \(SHA-256"):
        load_model("MTT_musicnn", own_copy)


def test_a_truncated_file_is_refused(own_copy: Path) -> None:
    path = own_copy / "MTT_musicnn.npz"
    path.write_bytes(path.read_bytes()[:1000])

    with pytest.raises(ModelError, match="does not match its sidecar"):
        load_model("MTT_musicnn", own_copy)


def test_an_array_of_the_wrong_shape_is_refused(own_copy: Path) -> None:
    rewrite_array(own_copy, "MTT_musicnn", "dense/kernel", np.zeros((1506, 100), np.float32))

    with pytest.raises(ModelError, match=r"array dense/kernel has shape \(1506, 100\), the network needs "
                                         r"\(1506, 200\).*mirloop-musicnn setup"):
        load_model("MTT_musicnn", own_copy)


def test_a_missing_array_is_refused(own_copy: Path) -> None:
    rewrite_array(own_copy, "MSD_musicnn", "conv2d_3/bias", np.zeros(0, np.float32))

    with pytest.raises(ModelError, match=r"does not hold the MSD_musicnn arrays \(missing conv2d_3/bias\)"):
        load_model("MSD_musicnn", own_copy)


def test_nan_weights_are_refused(own_copy: Path) -> None:
    bad = np.ones(204, np.float32)
    bad[7] = np.nan
    rewrite_array(own_copy, "MTT_musicnn", "batch_normalization_1/gamma", bad)

    with pytest.raises(ModelError, match=r"array batch_normalization_1/gamma holds NaN or infinite values"):
        load_model("MTT_musicnn", own_copy)


def test_a_sidecar_of_another_model_is_refused(own_copy: Path) -> None:
    sidecar = json.loads((own_copy / "MTT_musicnn.json").read_text())
    sidecar["tags"] = sidecar["tags"][::-1]
    (own_copy / "MTT_musicnn.json").write_text(json.dumps(sidecar))

    with pytest.raises(ModelError, match="lists other tags than the MTT_musicnn model's 50"):
        load_model("MTT_musicnn", own_copy)


def test_an_unreadable_sidecar_is_refused(own_copy: Path) -> None:
    (own_copy / "MSD_musicnn.json").write_text("{not json")

    with pytest.raises(ModelError, match=r"MSD_musicnn\.json is unreadable"):
        load_model("MSD_musicnn", own_copy)
