"""A tiny real dataset (two descriptors, two 3-s renders each), generated once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.dataset.generate import GenerationReport, generate_dataset

#: Small enough for seconds, real enough to exercise the renderer and the feature backend.
TINY = {"per_descriptor": 2, "durations": [3.0], "limit_descriptors": 2, "workers": 1, "progress": False}


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationReport]:
    root = tmp_path_factory.mktemp("tiny") / "data"
    return root, generate_dataset(root, **TINY)  # type: ignore[arg-type]
