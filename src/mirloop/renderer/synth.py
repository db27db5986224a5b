"""Sample-accurate, block-wise SoundFont synthesis of a score with ``tinysoundfont``.

The score becomes a sorted event list (sample index, order, action). :class:`BlockSynth`
renders any number of frames at a time, splitting its work at event positions, so notes,
cuts and region changes land on their exact sample whatever the block size, and memory does
not grow with the render's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from attrs import frozen

from mirloop.renderer.channels import Channel
from mirloop.renderer.score import Part
from mirloop.renderer.soundfont import POOL

#: Order of simultaneous events: set-up, cuts, note-offs, then note-ons.
SETUP, CUT, OFF, ON = 0, 1, 2, 3

#: Channel volume (linear gain) per role: the mix levels.
ROLE_LEVELS = {"bass": 0.7, "percussion": 0.5, "harmony": 0.8, "pad": 0.65, "melody": 0.75, "ostinato": 0.65}
#: Default pan positions per role in [0, 1] (0.5 = centre); repeated roles alternate sides.
ROLE_PANS = {"bass": 0.5, "percussion": 0.5, "harmony": 0.35, "pad": 0.62, "melody": 0.45, "ostinato": 0.7}


@frozen
class Event:
    """One synth action at ``sample``; ``data`` holds its arguments."""

    sample: int
    order: int
    channel: int
    data: tuple[Any, ...]


def part_mix(parts: Sequence[Part]) -> list[tuple[float, float]]:
    """``(level, pan)`` of each part: its role's level (times the part's ``gain``) and pan; further
    parts of the same role in a region sit quieter and alternate sides (parts without notes count
    for nothing)."""
    mix: list[tuple[float, float]] = []
    seen_roles: dict[tuple[int, str], int] = {}
    for part in parts:
        role = part.role
        count = seen_roles.get((part.region, role), 0)
        if part.notes:
            seen_roles[(part.region, role)] = count + 1
        pan = ROLE_PANS.get(role, 0.5)
        if count:
            pan = (
                1.0 - pan if count % 2 else min(1.0, max(0.0, pan + 0.1 * count * (1 if pan >= 0.5 else -1)))
            )
        mix.append((ROLE_LEVELS.get(role, 0.7) / (1 + 0.3 * count) * part.gain, pan))
    return mix


def part_events(parts: tuple[Part, ...], channels: list[Channel], sr: int, n_samples: int) -> list[Event]:
    """Synth events of ``parts``: program, level and pan at each region start, notes, and hard cuts."""
    events: list[Event] = []
    for part, channel, (level, pan) in zip(parts, channels, part_mix(parts)):
        first = min((n.start for n in part.notes), default=None)
        if first is None:
            continue
        ch = channel.synth
        at = max(0, round(first * sr) - 1)
        setup = (part.instrument.program, part.instrument.drums, min(level, 1.0), pan)
        events.append(Event(at, SETUP, ch, setup))
        for note in part.notes:
            on = round(note.start * sr)
            off = round(note.end * sr)
            if on >= n_samples:
                continue
            events.append(Event(on, ON, ch, (note.pitch, note.velocity / 127.0)))
            events.append(Event(max(on + 1, off), OFF, ch, (note.pitch,)))
        if part.cut is not None:
            events.append(Event(round(part.cut * sr), CUT, ch, ()))
    events.sort(key=lambda e: (e.sample, e.order, e.channel))
    return events


#: Frames between updates of an automated channel volume (1.5 ms at 44.1 kHz).
CONTROL_FRAMES = 64


class ChannelGain(Protocol):
    def gain(self, start: int, n: int) -> np.ndarray: ...


class BlockSynth:
    """Renders an event list block by block; call :meth:`render` with consecutive frame counts.

    ``automation`` maps synth channels to a gain curve (``gain(start, n)`` per sample, e.g. a
    side-chain :class:`~mirloop.renderer.buses.Ducker`) that scales the channel's volume, updated
    every :data:`CONTROL_FRAMES` frames: the ducked parts need no synthesizer of their own.
    """

    def __init__(
        self,
        soundfont: Path,
        sr: int,
        events: list[Event],
        *,
        automation: dict[int, ChannelGain] | None = None,
    ) -> None:
        self.soundfont, self.sr = soundfont, sr
        self.events = events
        self.position = 0  # next frame to render
        self.cursor = 0  # next event to apply
        self.automation = automation or {}
        self.levels: dict[int, float] = {}  # the channel volumes the events set
        self.font = POOL.acquire(soundfont, sr)

    def close(self) -> None:
        if self.font is not None:
            POOL.release(self.soundfont, self.sr, self.font)
            self.font = None

    def __enter__(self) -> BlockSynth:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def render(self, frames: int) -> np.ndarray:
        """The next ``frames`` frames as float32 of shape ``(frames, 2)``."""
        out = np.zeros((frames, 2), dtype=np.float32)
        done = 0
        events, font = self.events, self.font
        curves = {ch: curve.gain(self.position, frames) for ch, curve in self.automation.items()}
        while done < frames:
            while self.cursor < len(events) and events[self.cursor].sample <= self.position + done:
                self._apply(events[self.cursor])
                self.cursor += 1
            stop = frames
            if self.cursor < len(events):
                stop = min(frames, events[self.cursor].sample - self.position)
            if self.automation and stop > done:
                at = self.position + done
                stop = min(stop, done + CONTROL_FRAMES - at % CONTROL_FRAMES)
                for channel, gains in curves.items():
                    if channel in self.levels:
                        font.channel_set_volume(channel, self.levels[channel] * float(gains[done]))
            if stop > done:
                font.render(memoryview(out[done:stop]), False)  # type: ignore[arg-type]
                done = stop
        self.position += frames
        return out

    def _apply(self, event: Event) -> None:
        font, ch = self.font, event.channel
        if event.order == ON:
            font.channel_note_on(ch, event.data[0], event.data[1])
        elif event.order == OFF:
            font.channel_note_off(ch, event.data[0])
        elif event.order == CUT:
            font.channel_sounds_off(ch)
        else:
            program, drums, level, pan = event.data
            try:
                font.channel_set_preset_number(ch, program, drums)
            except Exception:  # a font without this kit or program: fall back to the first
                font.channel_set_preset_number(ch, 0, drums)
            self.levels[ch] = level
            font.channel_set_volume(ch, level)
            font.channel_set_pan(ch, pan)
