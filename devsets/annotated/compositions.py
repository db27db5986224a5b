"""Compositions with exact key and tempo: music21 corpus tunes, transposed, at a drawn tempo.

A tune qualifies when its ABC header declares a major or minor key (``K:G``, ``K:EMinor``; modal
keys such as ``K:ADorian`` and pipe keys ``K:Hp`` are left out), one of the meters in
:data:`BEAT_QUARTERS`, and music21's parse agrees: one key, one meter, and a last note on the
declared tonic (the final cadence confirms the mode). The key of the render is the declared key
transposed by the chosen number of semitones; the tempo is the one metronome mark the render
carries (all of the score's own marks are removed), in beats of the meter per minute (a quarter
in 2/4, 3/4 and 4/4, a half in 2/2 and 3/2, a dotted quarter in 6/8, 9/8 and 12/8). Beat times
follow from the measures of the score with its repeats written out, so pickups and short
closing bars keep their place in the bar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devsets.real_music.renders import NOTE_OFF, NOTE_ON, PROGRAM, NoteEvent, RenderError
from mirloop.types.estimates import PITCH_CLASSES

#: ABC files of the allowed music21 collections whose tunes may be taken.
ABC_FILES = (
    "airdsAirs/book1.abc", "airdsAirs/book2.abc", "airdsAirs/book3.abc", "airdsAirs/book4.abc",
    "airdsAirs/book5.abc", "airdsAirs/book6.abc", "miscFolk/americanfifeopus.abc",
    "miscFolk/northumbrianminstrelsyopus.abc", "nottingham-dataset/reelsa-c.abc",
)  # fmt: skip
#: Meter (as music21 writes it) → length of its beat in quarter notes.
BEAT_QUARTERS = {
    "2/4": 1.0, "3/4": 1.0, "4/4": 1.0, "2/2": 2.0, "3/2": 2.0, "6/8": 1.5, "9/8": 1.5, "12/8": 1.5,
}  # fmt: skip
#: Range the tempo is drawn from, in beats per minute, by beat length (quarter notes).
TEMPO_RANGE = {1.0: (72.0, 152.0), 2.0: (60.0, 110.0), 1.5: (56.0, 116.0)}
#: Melody instruments (General MIDI program, 0-based) and the instruments that may double the
#: melody an octave below (``None``: the melody alone).
MELODY_PROGRAMS = {
    0: "piano", 6: "harpsichord", 11: "vibraphone", 19: "church organ", 21: "accordion",
    24: "nylon guitar", 25: "steel guitar", 40: "violin", 48: "string ensemble", 56: "trumpet",
    68: "oboe", 71: "clarinet", 73: "flute", 74: "recorder", 110: "fiddle",
}  # fmt: skip
DOUBLING_PROGRAMS = {None: "none", 32: "acoustic bass", 42: "cello", 58: "tuba", 70: "bassoon", 0: "piano"}

_ABC_KEY = re.compile(r"^([A-G][b#]?)(.*)$")


@dataclass(frozen=True)
class TuneHeader:
    """One tune of an ABC file, as its header declares it."""

    work: str  # ``collection/file.abc#X``
    title: str
    key: str  # ``"E:minor"``
    meter: str  # the ABC ``M:`` field


def declared_key(field: str) -> str | None:
    """``"E:minor"`` for ``K:EMinor``/``K:Em``, ``"G:major"`` for ``K:G``; ``None`` for modal keys."""
    match = _ABC_KEY.match(field.split("%", 1)[0].replace(" ", ""))
    if match is None:
        return None
    tonic, mode = match.group(1), match.group(2).lower()
    if mode in ("", "maj", "major"):
        return f"{tonic}:major"
    if mode in ("m", "min", "minor"):
        return f"{tonic}:minor"
    return None


def scan_abc(text: str, path: str) -> list[TuneHeader]:
    """The tunes of an ABC file whose header declares a major or minor key."""
    tunes = []
    for block in re.split(r"\n(?=X:)", "\n" + text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        for line in block.strip().split("\n"):
            if len(line) > 1 and line[1] == ":" and line[0] in "XTMK" and line[0] not in fields:
                fields[line[0]] = line[2:].strip()
            if line.startswith("K:"):
                break  # the header ends at the first K: field
        number = fields.get("X", "").strip()
        key = declared_key(fields.get("K", ""))
        if number.isdigit() and key is not None:
            tunes.append(TuneHeader(f"{path}#{int(number)}", fields.get("T", ""), key, fields.get("M", "")))
    return tunes


def corpus_file(path: str) -> Path:
    """The file of a music21 corpus path (``airdsAirs/book1.abc``)."""
    from music21 import corpus

    found = corpus.getWork(path)
    if not found:
        raise RenderError(f"music21 corpus file {path!r} not found; is music21 10.5.1 installed?")
    return Path(str(found if not isinstance(found, list) else found[0]))


def first_part(score: Any) -> Any:
    """The score's first part (the tune), or the score itself when music21 made no parts."""
    return score.parts[0] if score.parts else score


def pitch_class(name: str) -> int:
    """0–11 for a tonic name (``"Eb"``, ``"D#"``, ``"B-"``)."""
    from music21 import pitch

    return int(pitch.Pitch(name.replace("b", "-") if len(name) > 1 else name).pitchClass)


def key_name(pc: int, mode: str) -> str:
    """``"Eb:minor"`` in the spelling mirloop's key estimates use."""
    return f"{PITCH_CLASSES[pc % 12]}:{mode}"


@dataclass(frozen=True)
class CheckedScore:
    """A parsed tune that passed the checks: its score, key, meter and beat length."""

    score: Any
    tonic_pc: int
    mode: str
    meter: str
    beat_quarters: float
    quarters: float  # length with repeats written out


def check_score(score: Any, declared: str, work: str) -> CheckedScore:
    """``score`` with its repeats written out, if it keeps one key and meter and ends on the tonic."""
    from music21 import key, meter

    tonic, mode = declared.split(":")
    keys = {
        (k.sharps, getattr(k, "mode", None)) for k in score.recurse().getElementsByClass(key.KeySignature)
    }
    meters = {m.ratioString for m in score.recurse().getElementsByClass(meter.TimeSignature)}
    if len(keys) != 1 or len(meters) != 1:
        raise RenderError(f"{work}: {len(keys)} key signatures and {len(meters)} meters, not one of each")
    (ratio,) = meters
    if ratio not in BEAT_QUARTERS:
        raise RenderError(f"{work}: meter {ratio} has no beat length in BEAT_QUARTERS")
    try:
        score = score.expandRepeats()
    except Exception as exc:  # music21 raises plain exceptions for repeats it cannot expand
        raise RenderError(f"{work}: music21 cannot write out the repeats ({exc})") from exc
    notes = list(first_part(score).recurse().notes)
    if not notes:
        raise RenderError(f"{work}: no notes")
    last = min(notes[-1].pitches, key=lambda p: p.ps)
    if last.pitchClass != pitch_class(tonic):
        raise RenderError(f"{work}: ends on {last.name}, not on the declared tonic {tonic}")
    return CheckedScore(
        score, pitch_class(tonic), mode, ratio, BEAT_QUARTERS[ratio], float(score.highestTime)
    )


def with_tempo(checked: CheckedScore, *, semitones: int, bpm: float) -> Any:
    """A copy of the score transposed by ``semitones`` with one metronome mark: ``bpm`` beats per minute."""
    from music21 import tempo

    score = checked.score.transpose(semitones) if semitones else checked.score
    for mark in list(score.recurse().getElementsByClass(tempo.TempoIndication)):
        mark.activeSite.remove(mark)
    first = first_part(score)
    first.insert(0, tempo.MetronomeMark(number=bpm * checked.beat_quarters))
    return score


def beat_times(checked: CheckedScore, *, bpm: float, end: float) -> list[tuple[float, int]]:
    """(seconds, position in the bar: 1 = downbeat) of every beat before ``end`` seconds."""
    from music21 import meter

    beat = checked.beat_quarters
    seconds_per_quarter = 60.0 / (bpm * beat)
    part = first_part(checked.score)
    ts = next(iter(checked.score.recurse().getElementsByClass(meter.TimeSignature)))
    per_bar = round(ts.barDuration.quarterLength / beat)
    beats = []
    for measure in part.getElementsByClass("Measure"):
        pad = float(measure.paddingLeft or 0.0)
        length = float(measure.duration.quarterLength)
        for k in range(per_bar):
            at = k * beat - pad  # position inside the measure's notated content
            if -1e-9 <= at < length - 1e-9:
                seconds = (float(measure.offset) + at) * seconds_per_quarter
                if seconds < end:
                    beats.append((round(seconds, 6), k + 1))
    return beats


def arrange(events: list[NoteEvent], *, melody: int, doubling: int | None) -> list[NoteEvent]:
    """The tune's events played by ``melody`` (a GM program), doubled an octave below by ``doubling``."""
    notes = [e for e in events if e.kind in (NOTE_ON, NOTE_OFF)]
    channels = sorted({e.channel for e in notes})
    out = [NoteEvent(0.0, 0, ch, PROGRAM, melody) for ch in channels]
    out += notes
    if doubling is not None:
        low = max(channels, default=0) + 1
        if low == 9:
            low = 10  # channel 10 (index 9) is General MIDI's drum channel
        out.append(NoteEvent(0.0, 0, low, PROGRAM, doubling))
        out += [
            NoteEvent(e.seconds, e.order, low, e.kind, e.a - 12, int(e.b * 0.8))
            for e in notes
            if e.channel == channels[0] and e.a >= 24
        ]
    return sorted(out, key=lambda e: (e.seconds, e.order, e.channel, e.a))
