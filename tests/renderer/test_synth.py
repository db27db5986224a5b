"""The block synthesizer: events on their exact sample, and reused synthesizers start silent."""

from __future__ import annotations

import numpy as np

from mirloop.renderer.soundfont import POOL, bundled_soundfont
from mirloop.renderer.synth import ON, SETUP, BlockSynth, Event


def test_a_reused_synthesizer_starts_silent() -> None:
    font = POOL.acquire(bundled_soundfont(), 22050)
    font.channel_set_preset_number(0, 48, False)
    font.channel_note_on(0, 60, 1.0)
    scratch = np.zeros((2205, 2), dtype=np.float32)
    font.render(memoryview(scratch), False)
    assert np.abs(scratch).max() > 0
    POOL.release(bundled_soundfont(), 22050, font)
    with BlockSynth(bundled_soundfont(), 22050, []) as synth:
        assert not synth.render(4410).any()


def test_a_note_starts_on_its_sample_whatever_the_block_size() -> None:
    events = [Event(0, SETUP, 0, (0, False, 1.0, 0.5)), Event(1000, ON, 0, (60, 1.0))]
    for block in (64, 333, 4096):
        with BlockSynth(bundled_soundfont(), 22050, list(events)) as synth:
            audio = np.concatenate([synth.render(block) for _ in range(4096 // block + 1)])
        assert not audio[:1000].any()
        assert np.abs(audio[1000:1100]).max() > 0
