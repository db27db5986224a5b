"""Fixtures: synthetic weights in a temporary folder, and the exported weights when setup has run."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from mirloop_musicnn.export import is_exported
from mirloop_musicnn.synthetic import write_synthetic_weights
from mirloop_musicnn.tags import DEFAULT_MODELS
from mirloop_musicnn.weights import WEIGHTS_VARIABLE, default_weights_dir


@pytest.fixture
def exported() -> None:
    """Skip unless `mirloop-musicnn setup` has exported the models the backends read by default into
    the default folder."""
    if not is_exported(models=DEFAULT_MODELS):
        pytest.skip(f"no exported musicnn weights in {default_weights_dir()}; run `mirloop-musicnn setup`")


@pytest.fixture(scope="session")
def synthetic_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic weights (random, right shapes), written once per session; do not modify."""
    return write_synthetic_weights(tmp_path_factory.mktemp("synthetic-weights"))


@pytest.fixture
def synthetic_weights(synthetic_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The synthetic weights as the default weights folder."""
    monkeypatch.setenv(WEIGHTS_VARIABLE, str(synthetic_folder))
    return synthetic_folder


@pytest.fixture
def own_copy(synthetic_folder: Path, tmp_path: Path) -> Path:
    """A private copy of the synthetic weights, free to damage."""
    folder = tmp_path / "weights"
    folder.mkdir()
    for path in synthetic_folder.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


#: The project's benchmark scripts, which some tests here load as modules.
BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


@pytest.fixture(scope="module")
def bench(request: pytest.FixtureRequest) -> ModuleType:
    """The benchmark script the test module names in ``BENCH`` (e.g. ``"bench_real_music"``),
    loaded as a module (it finds the scripts beside it)."""
    name = request.module.BENCH
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
