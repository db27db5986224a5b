"""The exact playing tempo of a tracker module, read from libopenmpt while it renders.

A module (.mod, .xm, .s3m, .it) sets its own timing: every row lasts ``speed`` ticks, and in the
classic tempo mode of these formats a tick lasts ``2.5 / tempo`` s (``sr * 5 // (2 * tempo)``
whole samples at the output rate ``sr``). Patterns may change speed and tempo at any row, slide the
tempo, or hold a row (pattern delay). :func:`play` renders the module through libopenmpt's C API
(``libopenmpt0``, loaded with ctypes) in blocks of a few samples and reads, after each block,
the row, pattern and order being played with the current speed, tempo and libopenmpt's estimated
BPM, so every row's start is known to within one block and every tempo change is seen where it
happens. :func:`steady_runs` keeps the stretches where nothing changes and every row lasts exactly
``speed`` classic ticks: there the beat tempo is exact,

    BPM = 60 * sr / (speed * samples_per_tick * rows_per_beat)  (= tempo * 6 / speed * 4 / rows_per_beat),

with ``rows_per_beat`` the module's own (the pattern highlight of an IT file that sets one, as
libopenmpt reads it; else the trackers' common 4 rows per beat), recovered from libopenmpt's
estimated BPM, which divides by the same number.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from devsets.real_music.renders import RenderError

#: Samples rendered between two readings of the playing state (0.36 ms at 44.1 kHz).
BLOCK = 16


class _InitialCtl(ctypes.Structure):
    _fields_ = [("ctl", ctypes.c_char_p), ("value", ctypes.c_char_p)]


@functools.cache
def libopenmpt() -> ctypes.CDLL:
    """libopenmpt's C library with the signatures this module calls, or a :class:`RenderError`."""
    name = ctypes.util.find_library("openmpt") or "libopenmpt.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise RenderError(
            f"module tempo reading needs libopenmpt: apt-get install libopenmpt0 ({exc})"
        ) from exc
    handle, i32, f64 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_double
    signatures: dict[str, tuple[object, list[object]]] = {
        "openmpt_get_library_version": (ctypes.c_uint32, []),
        "openmpt_module_create_from_memory2": (
            handle,
            [
                ctypes.c_void_p,
                ctypes.c_size_t,
                ctypes.c_void_p,
                ctypes.c_void_p,
                ctypes.c_void_p,
                ctypes.c_void_p,
                ctypes.POINTER(ctypes.c_int),
                ctypes.POINTER(ctypes.c_char_p),
                ctypes.POINTER(_InitialCtl),
            ],
        ),
        "openmpt_module_destroy": (None, [handle]),
        "openmpt_module_set_repeat_count": (ctypes.c_int, [handle, i32]),
        "openmpt_module_get_duration_seconds": (f64, [handle]),
        "openmpt_module_read_interleaved_float_stereo": (
            ctypes.c_size_t,
            [handle, i32, ctypes.c_size_t, ctypes.POINTER(ctypes.c_float)],
        ),
        "openmpt_module_get_metadata": (ctypes.c_void_p, [handle, ctypes.c_char_p]),
        "openmpt_free_string": (None, [ctypes.c_void_p]),
        "openmpt_module_get_current_estimated_bpm": (f64, [handle]),
        "openmpt_module_get_current_speed": (i32, [handle]),
        "openmpt_module_get_current_tempo": (i32, [handle]),
        "openmpt_module_get_current_order": (i32, [handle]),
        "openmpt_module_get_current_pattern": (i32, [handle]),
        "openmpt_module_get_current_row": (i32, [handle]),
    }
    for function, (restype, argtypes) in signatures.items():
        getattr(lib, function).restype = restype
        getattr(lib, function).argtypes = argtypes
    return lib


def library_version() -> str:
    """libopenmpt's version, e.g. ``0.6.9``."""
    packed = libopenmpt().openmpt_get_library_version()
    return f"{packed >> 24}.{(packed >> 16) & 0xFF}.{packed & 0xFFFF}"


@dataclass(frozen=True)
class Row:
    """One row as played: where it starts (samples, exact to :data:`BLOCK`) and the timing it ran at."""

    start: int
    order: int
    pattern: int
    row: int
    #: Speed and tempo when the row ended.
    speed: int
    tempo: int
    #: Every (speed, tempo, estimated BPM) read while this row played; one entry when the row kept its timing.
    timings: frozenset[tuple[int, int, float]]

    @property
    def steady(self) -> bool:
        return len(self.timings) == 1


@dataclass(frozen=True)
class Playback:
    """A module played once: its stereo audio, every row played, and its metadata."""

    audio: np.ndarray
    sr: int
    rows: tuple[Row, ...]
    metadata: dict[str, str]


def _metadata(lib: ctypes.CDLL, mod: int, key: str) -> str:
    pointer = lib.openmpt_module_get_metadata(mod, key.encode())
    if not pointer:
        return ""
    try:
        return (ctypes.string_at(pointer) or b"").decode("utf-8", errors="replace")
    finally:
        lib.openmpt_free_string(pointer)


def play(data: bytes, *, sr: int = 44100, max_seconds: float = 900.0) -> Playback:
    """Render ``data`` (a module file's bytes) once, without repeats, reading its timing row by row."""
    lib = libopenmpt()
    error = ctypes.c_int(0)
    message = ctypes.c_char_p()
    ctls = (_InitialCtl * 2)(_InitialCtl(b"play.at_end", b"stop"), _InitialCtl(None, None))
    buffer = ctypes.create_string_buffer(data, len(data))
    mod = lib.openmpt_module_create_from_memory2(
        buffer, len(data), None, None, None, None, ctypes.byref(error), ctypes.byref(message), ctls
    )
    if not mod:
        reason = (message.value or b"").decode(errors="replace") or f"error {error.value}"
        raise RenderError(f"libopenmpt cannot load the module: {reason}")
    try:
        lib.openmpt_module_set_repeat_count(mod, 0)
        metadata = {k: _metadata(lib, mod, k) for k in ("type", "tracker", "title", "artist", "message")}
        total = int(min(lib.openmpt_module_get_duration_seconds(mod), max_seconds) * sr) + sr
        audio = np.zeros((total, 2), dtype=np.float32)
        block = (ctypes.c_float * (2 * BLOCK))()
        rows: list[Row] = []
        current: tuple[int, int, int] | None = None
        start = 0
        timings: set[tuple[int, int, float]] = set()
        last = (0, 0, 0.0)
        done = 0
        while done + BLOCK <= total:
            got = lib.openmpt_module_read_interleaved_float_stereo(mod, sr, BLOCK, block)
            if got == 0:
                break
            samples = np.ctypeslib.as_array(block)[: 2 * got]
            audio[done : done + got] = samples.reshape(-1, 2)
            position = (
                lib.openmpt_module_get_current_order(mod),
                lib.openmpt_module_get_current_pattern(mod),
                lib.openmpt_module_get_current_row(mod),
            )
            timing = (
                lib.openmpt_module_get_current_speed(mod),
                lib.openmpt_module_get_current_tempo(mod),
                round(lib.openmpt_module_get_current_estimated_bpm(mod), 6),
            )
            if position != current:
                if current is not None:
                    rows.append(_row(start, current, timings, last))
                # the row began inside this block; its end is the latest start it can have
                current, start, timings = position, done + got, set()
            timings.add(timing)
            last = timing
            done += got
        if current is not None:
            rows.append(_row(start, current, timings, last))
    finally:
        lib.openmpt_module_destroy(mod)
    return Playback(audio=audio[:done], sr=sr, rows=tuple(rows), metadata=metadata)


def _row(
    start: int,
    position: tuple[int, int, int],
    timings: set[tuple[int, int, float]],
    last: tuple[int, int, float],
) -> Row:
    return Row(start, *position, speed=last[0], tempo=last[1], timings=frozenset(timings))


def samples_per_tick(tempo: int, sr: int) -> int:
    """One tick of the classic tempo mode at ``tempo``: ``2.5 / tempo`` s, truncated to whole samples.

    (libopenmpt 0.6 truncates: tempo 172 at 44.1 kHz plays 640-sample ticks, not 641; the row
    lengths read while playing confirm it, and a mismatch ends a steady run.)
    """
    return sr * 5 // (2 * tempo)


@dataclass(frozen=True)
class SteadyRun:
    """Consecutive rows played at one speed and tempo, each lasting exactly ``speed`` classic ticks."""

    rows: tuple[Row, ...]
    speed: int
    tempo: int
    rows_per_beat: int
    row_samples: int
    sr: int

    @property
    def bpm(self) -> float:
        """The beat tempo the audio plays at (exact: ticks of whole samples)."""
        return 60.0 * self.sr / (self.row_samples * self.rows_per_beat)

    @property
    def nominal_bpm(self) -> float:
        """``tempo * 6 / speed * 4 / rows_per_beat``, before the tick is rounded to whole samples."""
        return self.tempo * 24.0 / (self.speed * self.rows_per_beat)

    @functools.cached_property
    def first_sample(self) -> float:
        """Start of the first row (samples), from every row's start as read (late by under a block)."""
        offsets = [r.start - i * self.row_samples for i, r in enumerate(self.rows)]
        return (max(offsets) - BLOCK + min(offsets)) / 2

    def row_time(self, index: int) -> float:
        """Start (s) of the run's row ``index`` (0: its first row)."""
        return (self.first_sample + index * self.row_samples) / self.sr

    @property
    def start(self) -> float:
        """Start of the first row (s)."""
        return self.row_time(0)

    @property
    def end(self) -> float:
        """End of the last row (s)."""
        return self.row_time(len(self.rows))


def rows_per_beat(speed: int, tempo: int, estimated_bpm: float, sr: int) -> int | None:
    """The rows per beat libopenmpt's estimate divides by, if it is a whole number (classic mode)."""
    if estimated_bpm <= 0:
        return None
    value = 60.0 * sr / (speed * samples_per_tick(tempo, sr) * estimated_bpm)
    return round(value) if round(value) >= 1 and abs(value - round(value)) < 1e-3 else None


def steady_runs(playback: Playback, *, block: int = BLOCK) -> Iterator[SteadyRun]:
    """The longest stretches of rows with one timing, each row ``speed`` classic ticks long, beats in phase.

    A stretch ends where speed or tempo change (also within a row: a tempo slide), where a row
    lasts longer or shorter than ``speed`` ticks (a pattern delay, a non-classic tempo mode), and
    where the beat falls out of phase (a beat is a row whose number is a multiple of
    ``rows_per_beat``; a pattern break into another row, or a pattern whose length is no multiple
    of it, shifts the next beat).
    """
    rows = playback.rows
    sr = playback.sr
    run: list[Row] = []
    params: tuple[int, int, int, int] | None = None
    low = high = 0

    def close() -> Iterator[SteadyRun]:
        if params is not None and len(run) > 1:
            speed, tempo, per_beat, length = params
            yield SteadyRun(tuple(run), speed, tempo, per_beat, length, sr)

    for i, row in enumerate(rows[:-1]):  # the last row's end is unknown
        following = rows[i + 1]
        per_beat = rows_per_beat(row.speed, row.tempo, next(iter(row.timings))[2], sr) if row.steady else None
        length = row.speed * samples_per_tick(row.tempo, sr) if row.tempo > 0 else 0
        if not row.steady or per_beat is None or abs(following.start - row.start - length) > block:
            yield from close()
            run, params = [], None
            continue
        key = (row.speed, row.tempo, per_beat, length)
        # every start read lies within one block of the run's exact grid: no drift from a wrong tick
        offset = row.start - len(run) * length
        in_phase = bool(run) and (
            row.row == run[-1].row + 1 or (row.row == 0 and run[-1].row % per_beat == per_beat - 1)
        )
        if key != params or not in_phase or max(high, offset) - min(low, offset) > block:
            yield from close()
            run, params, offset = [], key, row.start
            low = high = offset
        low, high = min(low, offset), max(high, offset)
        run.append(row)
    yield from close()


def beat_rows(run: SteadyRun) -> list[Row]:
    """The rows of ``run`` a beat falls on (row number a multiple of its rows per beat)."""
    return [r for r in run.rows if r.row % run.rows_per_beat == 0]
