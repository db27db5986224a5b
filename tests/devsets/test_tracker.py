"""Reading a module's exact tempo while it plays: tiny ProTracker modules written here byte by byte."""

from __future__ import annotations

import ctypes.util
import io
import struct

import numpy as np
import pytest
import soundfile as sf
from devsets.annotated.build import MIN_MODULE_SECONDS, module_excerpt
from devsets.annotated.tracker import play, samples_per_tick, steady_runs
from devsets.real_music.renders import RenderError

pytestmark = pytest.mark.skipif(
    ctypes.util.find_library("openmpt") is None, reason="apt-get install libopenmpt0"
)

SR = 44100
C, E, G = 428, 339, 285  # Amiga periods


def cell(period: int = 0, effect: int = 0, parameter: int = 0) -> bytes:
    """One channel of one row: sample 1 when a note is given, effect and its parameter."""
    sample = 1 if period else 0
    return bytes([(sample & 0xF0) | (period >> 8), period & 0xFF, ((sample & 0x0F) << 4) | effect, parameter])


def pattern(*, effects: dict[int, tuple[int, int]]) -> bytes:
    """64 rows of 4 channels: a note on every 4th row in channel 0, ``effects[row]`` in channel 1."""
    rows = bytearray()
    for row in range(64):
        note = (C, E, G, E)[row // 4 % 4] if row % 4 == 0 else 0
        effect, parameter = effects.get(row, (0, 0))
        rows += cell(note) + cell(0, effect, parameter) + bytes(8)
    return bytes(rows)


def protracker(patterns: list[bytes], orders: list[int]) -> bytes:
    """A 4-channel M.K. module with one looped square-wave sample."""
    wave = bytes([0x40] * 16 + [0xC0] * 16)
    header = b"tempo test".ljust(20, b"\0")
    header += b"square".ljust(22, b"\0") + struct.pack(">HBBHH", len(wave) // 2, 0, 64, 0, 16)
    header += (b"\0" * 22 + struct.pack(">HBBHH", 0, 0, 0, 0, 1)) * 30
    header += bytes([len(orders), 127]) + bytes(orders).ljust(128, b"\0") + b"M.K."
    return header + b"".join(patterns) + wave


SPEED_4 = (0xF, 0x04)  # Fxx below 32 sets the speed (ticks per row)
TEMPO_150 = (0xF, 150)  # Fxx from 32 sets the tempo (BPM of the 125-BPM default)


def two_tempo_module(first_orders: int = 2) -> bytes:
    """Speed 4 at tempo 125 (187.5 BPM at 4 rows a beat), then tempo 150 (225 BPM) for two patterns."""
    start = pattern(effects={0: SPEED_4})
    faster = pattern(effects={0: TEMPO_150})
    return protracker([start, faster], [0] * first_orders + [1, 1])


def test_the_reader_finds_both_tempi_and_where_the_change_happens() -> None:
    playback = play(two_tempo_module(), sr=SR)

    timings = [(r.order, r.speed, r.tempo) for r in playback.rows[:-1]]  # the last: after the song's end
    assert {(s, t) for _, s, t in timings} == {(4, 125), (4, 150)}
    assert {o for o, _, t in timings if t == 125} == {0, 1}
    assert {o for o, _, t in timings if t == 150} == {2, 3}
    runs = list(steady_runs(playback))
    assert [(r.speed, r.tempo, r.rows_per_beat) for r in runs] == [(4, 125, 4), (4, 150, 4)]
    assert [r.bpm for r in runs] == [pytest.approx(187.5), pytest.approx(225.0)]
    assert len(runs[0].rows) == 128  # orders 0 and 1
    # the row that changes the tempo plays its first tick at the old one: the run starts after it
    assert (runs[1].rows[0].order, runs[1].rows[0].row) == (2, 1)
    assert runs[0].start == pytest.approx(0.0, abs=0.001)


def test_row_starts_are_exact_to_well_under_a_millisecond() -> None:
    run = next(steady_runs(play(two_tempo_module(), sr=SR)))

    assert run.row_samples == 4 * 882
    starts = [r.start for r in run.rows]  # as read: each late by less than one block
    exact = [run.first_sample + i * run.row_samples for i in range(len(run.rows))]
    assert max(abs(a - b) for a, b in zip(starts, exact, strict=True)) <= 16
    assert abs(run.first_sample) <= 16


def test_a_tick_that_is_no_whole_number_of_samples_is_truncated_as_libopenmpt_plays_it() -> None:
    module = protracker([pattern(effects={0: SPEED_4, 1: (0xF, 172)})], [0, 0])

    runs = list(steady_runs(play(module, sr=SR)))

    assert samples_per_tick(172, SR) == 640  # 641.0 would be the rounded 44100 * 5 / 344
    assert runs and runs[-1].tempo == 172
    assert runs[-1].bpm == pytest.approx(60 * SR / (4 * 640 * 4))
    assert runs[-1].nominal_bpm == pytest.approx(172 * 6 / 4)


def test_a_pattern_delay_ends_a_steady_run() -> None:
    delayed = pattern(effects={0: SPEED_4, 32: (0xE, 0xE1)})  # EE1: row 32 is played twice as long

    runs = list(steady_runs(play(protracker([delayed], [0]), sr=SR)))

    assert all(r.tempo == 125 and r.speed == 4 for r in runs)
    assert [(r.rows[0].row, r.rows[-1].row) for r in runs] == [(0, 31), (33, 63)]


def test_a_pattern_cut_short_off_the_beat_ends_the_run_and_one_cut_on_the_beat_does_not() -> None:
    off_beat = pattern(effects={0: SPEED_4, 29: (0xD, 0x00)})  # D00: next pattern after 30 rows
    on_beat = pattern(effects={0: SPEED_4, 31: (0xD, 0x00)})  # after 32 rows: 8 whole beats
    follow = pattern(effects={})

    cut_off_beat = list(steady_runs(play(protracker([off_beat, follow], [0, 1]), sr=SR)))
    cut_on_beat = list(steady_runs(play(protracker([on_beat, follow], [0, 1]), sr=SR)))

    assert [(r.rows[0].order, r.rows[0].row) for r in cut_off_beat] == [(0, 0), (1, 0)]
    assert cut_off_beat[0].rows[-1].row == 29
    assert len(cut_on_beat) == 1
    assert {r.order for r in cut_on_beat[0].rows} == {0, 1}


def test_the_excerpt_is_the_longest_stretch_at_one_tempo_with_a_beat_every_four_rows() -> None:
    module = two_tempo_module(first_orders=5)  # 25.6 s at 187.5 BPM, then 10.2 s at 225

    flac, info = module_excerpt(module)

    audio, sr = sf.read(io.BytesIO(flac), always_2d=True)
    assert sr == SR and MIN_MODULE_SECONDS <= len(audio) / sr <= 30.0
    assert (info["bpm"], info["speed"], info["tempo"], info["rows_per_beat"]) == (187.5, 4, 125, 4)
    beats = np.array([t for t, _ in info["beats"]])
    assert beats[0] == pytest.approx(0.0, abs=0.001)
    assert np.diff(beats) == pytest.approx(60 / 187.5, abs=1e-6)
    assert [p for _, p in info["beats"][:5]] == [1, 2, 3, 4, 1]


def test_a_module_that_never_keeps_one_tempo_long_enough_is_refused_by_name() -> None:
    short = protracker([pattern(effects={0: SPEED_4})], [0])  # 5.1 s

    with pytest.raises(RenderError, match="no 20-s stretch"):
        module_excerpt(short)
