"""The NumPy voices' speed-ups change no sample: the in-place band-limited saw equals the textbook
formula, and a render's notes are synthesised once for its level probes and its players."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.catalog import load_catalog
from mirloop.renderer.api import descriptor_plan
from mirloop.renderer.compose import compose
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.production import Prepared
from mirloop.renderer.score import Note, Part
from mirloop.renderer.voice_synth import NoteCache, VoiceSynth
from mirloop.renderer.voices import saw
from tests.renderer.conftest import FAST

SR = FAST["sr"]


def _textbook_saw(freq: np.ndarray | float, n: int, sr: int, phase0: float) -> np.ndarray:
    """The saw as it reads on paper: a phase ramp wrapped with ``% 1``, minus Välimäki's BLEP."""
    if np.ndim(freq) == 0:
        dt = float(freq) / sr
        phase = (phase0 + dt * np.arange(n)) % 1.0
    else:
        step = np.asarray(freq, dtype=np.float64) / sr
        dt = float(np.mean(step))
        phase = (phase0 + np.concatenate(([0.0], np.cumsum(step[:-1])))) % 1.0
    blep = np.zeros_like(phase)
    low, high = phase < dt, phase > 1 - dt
    t = phase[low] / dt
    blep[low] = t + t - t * t - 1
    t = (phase[high] - 1) / dt
    blep[high] = t * t + t + t + 1
    return 2 * phase - 1 - blep


@pytest.mark.parametrize("freq", [27.5, 220.0, 1234.5, 7040.0, 15000.0])
@pytest.mark.parametrize("phase0", [0.0, 0.37, 0.5, 0.9999])
@pytest.mark.parametrize("n", [1, 2, 97, 44100])
def test_the_saw_is_the_textbook_saw_bit_for_bit(freq: float, phase0: float, n: int) -> None:
    assert np.array_equal(saw(freq, n, SR, phase0), _textbook_saw(freq, n, SR, phase0))


def test_a_swept_saw_is_the_textbook_saw_bit_for_bit() -> None:
    freq = 110.0 * 2 ** (np.sin(np.arange(30000) / 3000.0) / 12)  # vibrato of a semitone
    assert np.array_equal(saw(freq, len(freq), SR, 0.25), _textbook_saw(freq, len(freq), SR, 0.25))


def _part(notes: list[tuple[float, float, int]]) -> Part:
    """A part of ``(start, end, pitch)`` notes on the instrument of a composed house render."""
    plan = descriptor_plan(load_catalog()["electronica_house_happy"], 4.0, 1)
    instrument = compose([plan], 4.0, 1, idioms=False).parts[0].instrument
    return Part(instrument, 0, tuple(Note(a, b, p, 100) for a, b, p in notes), None)


def test_synths_sharing_a_cache_play_what_synths_with_their_own_play() -> None:
    parts = [_part([(0.0, 0.5, 60), (0.5, 1.0, 64), (1.0, 1.5, 60)]), _part([(0.25, 1.25, 48)])]
    voices = ["pad", "acid_bass"]
    frames = int(2.0 * SR)
    alone = [VoiceSynth([p], [v], SR, frames, seed=9).render(frames) for p, v in zip(parts, voices)]
    shared = NoteCache()
    together = [
        VoiceSynth([p], [v], SR, frames, seed=9, cache=shared).render(frames) for p, v in zip(parts, voices)
    ]
    for a, b in zip(alone, together):
        assert a.tobytes() == b.tobytes()
    assert len(shared.notes) == 3  # the repeated C is synthesised once


def test_the_cache_forgets_the_least_recently_used_notes_past_its_size() -> None:
    cache = NoteCache(max_bytes=3 * 2 * int(0.5 * SR) * 4)  # about three half-second stereo notes
    for pitch in (60, 62, 64):
        cache.note("sub_bass", pitch, 400, SR, 1)
    cache.note("sub_bass", 60, 400, SR, 1)  # used again: now the most recent
    cache.note("sub_bass", 65, 400, SR, 1)
    assert [key[3] for key in cache.notes] == [64, 60, 65]
    assert cache.nbytes == sum(samples.nbytes for samples in cache.notes.values()) <= cache.max_bytes


def test_a_note_depends_on_its_key_and_the_seed_not_on_the_cache() -> None:
    warm = NoteCache()
    first = warm.note("pad", 57, 800, SR, 5).copy()
    warm.note("pad", 59, 800, SR, 5)
    assert warm.note("pad", 57, 800, SR, 5).tobytes() == first.tobytes()
    assert NoteCache().note("pad", 57, 800, SR, 5).tobytes() == first.tobytes()
    assert NoteCache().note("pad", 57, 800, SR, 6).tobytes() != first.tobytes()


def test_a_render_reuses_the_notes_its_level_probe_synthesised() -> None:
    plan = descriptor_plan(load_catalog()["ambient_chill_dreamy"], 8.0, 4, band="kalimba_and_pads", cut=True)
    prepared = Prepared([plan], 8.0, 4, RenderOptions(**{**FAST, "production": "genre"}))  # type: ignore[arg-type]
    probed = dict(prepared.notes.notes)
    assert probed, "the genre production's pads play on the NumPy voices, probed for the level"
    for block in prepared.blocks():
        del block
    reused = [key for key, samples in probed.items() if prepared.notes.notes.get(key) is samples]
    assert reused, "the render synthesised again every note its probe had made"
