"""Loaded models are kept per process: the loop's input classifier and its listener both stay loaded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mirloop.classify.backend import CACHED_MODELS, DEFAULT_MODEL, SHIPPED_MODELS, load_cached


def test_two_models_used_in_turn_stay_loaded() -> None:
    first, second = str(DEFAULT_MODEL), str(SHIPPED_MODELS["genre"])
    a, b = load_cached(first), load_cached(second)
    assert a is not b
    assert load_cached(first) is a and load_cached(second) is b


def test_a_changed_model_is_read_again_and_the_least_recently_used_leaves(tmp_path: Path) -> None:
    copies = [tmp_path / f"model-{i}" for i in range(CACHED_MODELS + 1)]
    for copy in copies:
        shutil.copytree(DEFAULT_MODEL, copy)
    first = load_cached(str(copies[0]))
    stamp = os.stat(copies[0] / "model.json").st_mtime
    os.utime(copies[0] / "model.json", (stamp + 10, stamp + 10))
    changed = load_cached(str(copies[0]))
    assert changed is not first and load_cached(str(copies[0])) is changed

    kept = [load_cached(str(copy)) for copy in copies[1:]]  # CACHED_MODELS more: the changed one leaves
    assert load_cached(str(copies[-1])) is kept[-1]
    assert load_cached(str(copies[0])) is not changed
