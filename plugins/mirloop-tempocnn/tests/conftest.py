"""Fixture: the models ``mirloop-tempocnn setup`` fetched (the tests that need them skip without)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mirloop.errors import ModelError

from mirloop_tempocnn.models import check_folder, default_models_dir


@pytest.fixture
def shipped_models() -> Path:
    """Skip unless `mirloop-tempocnn setup` has fetched the models into the default folder."""
    try:
        check_folder(default_models_dir())
    except ModelError:
        pytest.skip(f"no tempo-cnn models in {default_models_dir()}; run `mirloop-tempocnn setup`")
    return default_models_dir()
