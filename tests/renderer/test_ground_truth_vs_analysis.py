"""Rendered ground truth agrees with mirloop's own analysis backends across the catalog.

40 descriptors spread over the sorted catalog, 16 s each at 22050 Hz (the analysis rate).
The tempo backend is told each descriptor's tempo range (``prior_center`` at its centre,
``prior_width`` 0.5 octave) as the feedback loop knows it: the renders carry their beat, but
slow, drum-less styles are otherwise read at double tempo by the default 120-BPM prior. The key
backend runs with its defaults.
"""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.catalog import load_catalog
from mirloop.plugins import registry
from mirloop.renderer import render_descriptor
from mirloop.signal import TrackContext
from mirloop.types import Audio
from tests.renderer.conftest import FAST

SAMPLE_SIZE = 40
DURATION = 16.0


@pytest.mark.slow
def test_tempo_within_4_percent_and_key_right_on_95_percent_of_renders() -> None:
    catalog = load_catalog()
    names = catalog.names()
    sample = [names[round(i * (len(names) - 1) / (SAMPLE_SIZE - 1))] for i in range(SAMPLE_SIZE)]
    key_backend = registry().create("key", "librosa")
    tempo_hits, key_hits, keyed, misses = 0, 0, 0, []
    for seed, name in enumerate(sample):
        result = render_descriptor(name, DURATION, seed=seed, config=FAST)
        truth = result.truth.regions[0]
        ctx = TrackContext(Audio(result.audio.samples.mean(axis=0).astype(np.float32), FAST["sr"]))
        low, high = catalog[name].style.tempo_range
        tempo_backend = registry().create(
            "tempo", "librosa", {"prior_center": (low + high) / 2, "prior_width": 0.5}
        )
        bpm = tempo_backend.estimate_tempo(ctx).bpm
        if abs(bpm - truth.tempo) <= 0.04 * truth.tempo:
            tempo_hits += 1
        else:
            misses.append(f"{name}: tempo {truth.tempo} read as {bpm:.1f}")
        if truth.key is not None:
            keyed += 1
            estimated = key_backend.estimate_key(ctx).key
            # Open harmony leaves the thirds out on purpose: only the tonic is stated.
            open_harmony = catalog[name].style.open_harmony
            if estimated == truth.key or (open_harmony and estimated.tonic == truth.key.tonic):
                key_hits += 1
            else:
                misses.append(f"{name}: key {truth.key} read as {estimated}")
    assert tempo_hits >= 0.95 * SAMPLE_SIZE, misses
    assert key_hits >= 0.95 * keyed, misses
