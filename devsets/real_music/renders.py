"""Score renders: music21 corpus works played through a General MIDI SoundFont.

music21 turns a score into MIDI events (notes, programs, tempo changes); ``tinysoundfont`` plays
them sample-accurately. The render is a pure function of (score, sound font, sample rate): same
inputs, same samples, same FLAC bytes.
"""

from __future__ import annotations

import contextlib
import copy
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from mirloop.errors import MirloopError

NOTE_OFF, NOTE_ON, PROGRAM, TEMPO = 128, 144, 192, 81
#: Seconds of release after the last note-off.
TAIL_SECONDS = 2.0
#: Fade applied when a render is cut at its maximum length.
FADE_SECONDS = 2.0
#: Peak level of a render, in linear full scale (about -1 dBFS).
PEAK = 0.89


class RenderError(MirloopError):
    """A score could not be parsed or rendered."""


@dataclass(frozen=True)
class NoteEvent:
    """One synthesizer action at ``seconds``: note on/off or program change on ``channel``."""

    seconds: float
    order: int  # program changes first, then note-offs, then note-ons at the same instant
    channel: int
    kind: int
    a: int
    b: int = 0


def music21_version() -> str:
    try:
        import music21
    except ImportError as exc:
        raise RenderError("score renders need music21: pip install 'music21==10.5.1'") from exc
    return str(music21.__version__)


def parse_work(work: str) -> Any:
    """The music21 score for a corpus path; ``path#N`` picks the piece numbered N (ABC ``X:``) of an opus."""
    from music21 import corpus

    path, _, number = work.partition("#")
    try:
        parsed = corpus.parse(path, number=int(number)) if number else corpus.parse(path)
    except Exception as exc:  # music21 raises many exception types for a missing or broken work
        raise RenderError(f"music21 cannot parse corpus work {work!r}: {exc}") from exc
    if parsed is None:
        raise RenderError(f"music21 corpus work {work!r} not found; check the path with corpus.getComposer")
    if hasattr(parsed, "scores"):  # an opus without a number: its first piece
        parsed = parsed.scores[0]
    return parsed


def work_title(score: Any, work: str) -> str:
    title = getattr(getattr(score, "metadata", None), "title", None)
    return str(title).strip() if title else work


def score_events(score: Any) -> list[NoteEvent]:
    """The score's note and program events, in seconds, sorted."""
    from music21 import midi

    try:
        mf = midi.translate.streamToMidiFile(score)
    except Exception:  # music21 raises plain exceptions, mostly for repeats it cannot expand
        try:
            mf = midi.translate.streamToMidiFile(without_repeats(score))
        except Exception as exc:
            raise RenderError(f"music21 cannot turn the score into MIDI: {exc}") from exc
    tpq = mf.ticksPerQuarterNote
    tempo_changes: list[tuple[int, int]] = []  # (tick, microseconds per quarter)
    raw: list[tuple[int, int, int, int, int]] = []  # (tick, kind, channel, a, b)
    for track in mf.tracks:
        tick = 0
        for event in track.events:
            if type(event).__name__ == "DeltaTime":
                tick += int(event.time or 0)
                continue
            kind = int(event.type)
            if kind == TEMPO and event.data and len(event.data) == 3:
                tempo_changes.append((tick, int.from_bytes(event.data, "big")))
            elif kind in (NOTE_ON, NOTE_OFF):
                velocity = int(event.velocity or 0)
                if kind == NOTE_ON and velocity == 0:
                    kind = NOTE_OFF
                raw.append((tick, kind, int(event.channel) - 1, int(event.pitch), velocity))
            elif kind == PROGRAM:
                raw.append((tick, PROGRAM, int(event.channel) - 1, int(event.data or 0), 0))
    to_seconds = _tick_clock(sorted(tempo_changes), tpq)
    order = {PROGRAM: 0, NOTE_OFF: 1, NOTE_ON: 2}
    events = [NoteEvent(to_seconds(t), order[k], ch, k, a, b) for t, k, ch, a, b in raw]
    return sorted(events, key=lambda e: (e.seconds, e.order, e.channel, e.a))


def without_repeats(score: Any) -> Any:
    """A copy of ``score`` played straight through: repeat barlines and repeat marks removed."""
    from music21 import bar, repeat

    plain = copy.deepcopy(score)
    for measure in plain.recurse().getElementsByClass("Measure"):
        for side in ("leftBarline", "rightBarline"):
            if isinstance(getattr(measure, side), bar.Repeat):
                setattr(measure, side, bar.Barline("regular"))
    for mark in list(plain.recurse().getElementsByClass(repeat.RepeatExpression)):
        mark.activeSite.remove(mark)
    return plain


def _tick_clock(tempo_changes: list[tuple[int, int]], tpq: int) -> Any:
    """A function from MIDI tick to seconds under the tempo map (120 qpm until the first change)."""
    points = [(0, 0.0, 500000)]
    for tick, usq in tempo_changes:
        t0, s0, u0 = points[-1]
        if tick == t0:
            points[-1] = (t0, s0, usq)
        else:
            points.append((tick, s0 + (tick - t0) * u0 / 1e6 / tpq, usq))

    def to_seconds(tick: int) -> float:
        t0, s0, u0 = next(p for p in reversed(points) if p[0] <= tick)
        return s0 + (tick - t0) * u0 / 1e6 / tpq

    return to_seconds


def render_events(events: list[NoteEvent], *, soundfont: Path, sr: int, max_seconds: float) -> np.ndarray:
    """Stereo float32 audio of ``events`` (at most ``max_seconds``, faded out when cut)."""
    try:
        from tinysoundfont import _tinysoundfont as tsf
    except ImportError as exc:
        raise RenderError("score renders need tinysoundfont: pip install --no-deps tinysoundfont") from exc
    if not soundfont.is_file():
        raise RenderError(f"SoundFont {soundfont} not found; apt-get install fluid-soundfont-gm")
    if not events:
        raise RenderError("the score has no notes to render")
    font = tsf.SoundFont(str(soundfont))
    font.set_output(tsf.OutputMode.StereoInterleaved, sr, 0.0)
    font.set_max_voices(64)
    for channel in range(16):
        font.channel_set_preset_number(channel, 0, channel == 9)
    end = min(max(e.seconds for e in events) + TAIL_SECONDS, max_seconds)
    total = round(end * sr)
    out = np.zeros((total, 2), dtype=np.float32)
    done = 0
    for event in events:
        at = min(round(event.seconds * sr), total)
        if at > done:
            font.render(memoryview(out[done:at]), False)  # type: ignore[arg-type]
            done = at
        if done >= total:
            break
        if event.kind == NOTE_ON:
            font.channel_note_on(event.channel, event.a, max(1, event.b) / 127.0)
        elif event.kind == NOTE_OFF:
            font.channel_note_off(event.channel, event.a)
        else:
            # a program this font lacks: the channel keeps its current one
            with contextlib.suppress(Exception):
                font.channel_set_preset_number(event.channel, event.a, event.channel == 9)
    if done < total:
        font.render(memoryview(out[done:]), False)  # type: ignore[arg-type]
    if max(e.seconds for e in events) + TAIL_SECONDS > max_seconds:
        fade = min(total, int(FADE_SECONDS * sr))
        out[total - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    peak = float(np.max(np.abs(out))) if total else 0.0
    if peak <= 0.0:
        raise RenderError("the render is silent; the SoundFont may lack the score's programs")
    return out * np.float32(PEAK / peak)


def flac_bytes(audio: np.ndarray, sr: int) -> bytes:
    """16-bit FLAC of ``audio``."""
    buffer = io.BytesIO()
    sf.write(buffer, audio, sr, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()
