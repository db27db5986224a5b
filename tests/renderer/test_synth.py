"""The block synthesizer: events on their exact sample, and reused synthesizers start silent."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_the_pool_keeps_only_a_few_idle_synthesizers_over_all_fonts() -> None:
    from mirloop.renderer.soundfont import MAX_IDLE, SynthPool

    pool = SynthPool()
    rates = (22050, 22050, 16000, 16000, 8000, 8000, 8000)  # the rate is part of a synthesizer's key
    fonts = [pool.acquire(bundled_soundfont(), sr) for sr in rates]
    for font, sr in zip(fonts, rates):
        pool.release(bundled_soundfont(), sr, font)
    assert pool.idle == MAX_IDLE
    assert pool.acquire(bundled_soundfont(), 8000) is fonts[-1]  # the latest released are kept
    assert pool.acquire(bundled_soundfont(), 22050) is fonts[1]  # one copy of each font stays
    assert pool.acquire(bundled_soundfont(), 22050) not in fonts[:2]  # its older copy was dropped
    assert pool.idle == MAX_IDLE - 2


def test_an_automated_channel_follows_its_gain_curve_and_others_do_not() -> None:
    class Half:
        def gain(self, start: int, n: int) -> np.ndarray:
            return np.where(np.arange(start, start + n) >= 4410, 0.5, 1.0).astype(np.float32)

    events = [
        Event(0, SETUP, 0, (48, False, 1.0, 0.5)),
        Event(0, SETUP, 1, (48, False, 1.0, 0.5)),
        Event(1, ON, 0, (60, 1.0)),
        Event(1, ON, 1, (67, 1.0)),
    ]

    def level(automation: dict[int, Half] | None) -> tuple[float, float]:
        with BlockSynth(bundled_soundfont(), 22050, list(events), automation=automation) as synth:
            audio = synth.render(8820)
        return float(np.sqrt(np.mean(audio[2205:4410] ** 2))), float(np.sqrt(np.mean(audio[6615:] ** 2)))

    plain, ducked = level(None), level({0: Half()})
    assert ducked[0] == pytest.approx(plain[0], rel=1e-3)
    assert 0.5 * plain[1] < ducked[1] < 0.95 * plain[1]
