"""The MLP model shipped with mirloop works right after install, for the current catalog and features.

When the catalog or the librosa feature backend changes, this test fails: rebuild the default model
with the commands in docs/training.md ("The shipped default model").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mirloop.classify.backend import DEFAULT_KIND, DEFAULT_MODEL, configured_model
from mirloop.classify.setup import check_model_setup
from mirloop.classify.storage import load_model
from mirloop.cli.main import main
from mirloop.config import load_config
from mirloop.plugins import registry
from mirloop.types.descriptor import TARGETS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "audio" / "noiz2sa__stg3.ogg"


def test_the_default_model_matches_the_installed_catalog_and_feature_backend() -> None:
    model = load_model(DEFAULT_MODEL)
    assert model.kind == DEFAULT_KIND == "mlp"
    check_model_setup(model, load_config({}))  # raises ModelError on any mismatch


def test_without_a_model_the_mlp_backend_uses_the_shipped_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIRLOOP_MODEL", raising=False)
    assert configured_model() == str(DEFAULT_MODEL)
    assert registry().create("classifier", DEFAULT_KIND).model_path() == str(DEFAULT_MODEL)


def test_classify_works_with_no_model_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shipped model, directly or (with the mirloop-musicnn plugin) inside the fused classifier."""
    from mirloop.classify.backend import default_classifier

    monkeypatch.delenv("MIRLOOP_MODEL", raising=False)
    assert main(["classify", str(EXAMPLE), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    default = default_classifier()["classifier"]["backend"]
    if default == DEFAULT_KIND:
        assert Path(report["model"]) == DEFAULT_MODEL
    else:
        assert report["model"] == f"{default} classifier backend"
    for target in TARGETS:
        probabilities = report["probabilities"][target]
        assert report["labels"][target] in {*probabilities, "unknown"}  # open set: unknown when unsure
        assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-3)  # rounded in the JSON
