"""The score as a Standard MIDI File (type 1): one track per part, tempo changes per region.

Written directly as bytes (a few thousand notes per minute make a message-object library the
slowest step of a render); ``mido`` and ``pretty_midi`` read the result.
"""

from __future__ import annotations

import bisect
import struct

from mirloop.renderer.channels import Channel
from mirloop.renderer.plan import RegionPlan
from mirloop.renderer.score import Score

TICKS_PER_BEAT = 480


class TempoMap:
    """Seconds → ticks over piecewise-constant tempi starting at each region's start."""

    def __init__(self, changes: list[tuple[float, float]]) -> None:
        self.times: list[float] = []
        self.ticks: list[float] = []
        self.bpm: list[float] = []
        tick = 0.0
        for i, (time, bpm) in enumerate(changes):
            if i:
                tick += (time - self.times[-1]) * self.bpm[-1] / 60 * TICKS_PER_BEAT
            self.times.append(time)
            self.ticks.append(tick)
            self.bpm.append(bpm)

    def tick(self, seconds: float) -> int:
        i = max(0, bisect.bisect_right(self.times, seconds) - 1)
        return round(self.ticks[i] + (seconds - self.times[i]) * self.bpm[i] / 60 * TICKS_PER_BEAT)


def _vlq(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _meta(kind: int, data: bytes) -> bytes:
    return bytes([0xFF, kind]) + _vlq(len(data)) + data


def _track(events: list[tuple[int, int, bytes]]) -> bytes:
    events.sort(key=lambda e: (e[0], e[1]))
    body = bytearray()
    last = 0
    for tick, _, message in events:
        body += _vlq(tick - last) + message
        last = tick
    body += b"\x00" + _meta(0x2F, b"")
    return b"MTrk" + struct.pack(">I", len(body)) + bytes(body)


def _text(text: str) -> bytes:
    return text.encode("utf-8", errors="replace")[:127]


def score_to_midi(score: Score, plans: list[RegionPlan], channels: list[Channel]) -> bytes:
    """Bytes of a type-1 MIDI file: a conductor track (tempo, meter, markers) and a track per part."""
    tempo_map = TempoMap([(plan.start, plan.tempo) for plan in plans] or [(0.0, 120.0)])
    conductor: list[tuple[int, int, bytes]] = [(0, -1, _meta(0x03, b"mirloop"))]
    for plan in plans:
        tick = tempo_map.tick(plan.start)
        numerator, denominator = plan.descriptor.style.meter
        microseconds = round(60_000_000 / plan.tempo)
        conductor.append((tick, 0, _meta(0x51, microseconds.to_bytes(3, "big"))))
        conductor.append((tick, 1, _meta(0x58, bytes([numerator, denominator.bit_length() - 1, 24, 8]))))
        conductor.append((tick, 2, _meta(0x06, _text(plan.descriptor.name))))
    tracks = [_track(conductor)]
    for part, channel in zip(score.parts, channels):
        ch = channel.midi
        events: list[tuple[int, int, bytes]] = [
            (0, -2, _meta(0x03, _text(f"{part.instrument.name} (region {part.region})")))
        ]
        if not part.instrument.drums:
            start = tempo_map.tick(plans[part.region].start) if part.region < len(plans) else 0
            events.append((start, -1, bytes([0xC0 | ch, part.instrument.program & 0x7F])))
        for note in part.notes:
            on, off = tempo_map.tick(note.start), tempo_map.tick(note.end)
            events.append((on, 1, bytes([0x90 | ch, note.pitch & 0x7F, max(1, note.velocity) & 0x7F])))
            events.append((max(off, on + 1), 0, bytes([0x80 | ch, note.pitch & 0x7F, 0])))
        tracks.append(_track(events))
    header = b"MThd" + struct.pack(">IHHH", 6, 1, len(tracks), TICKS_PER_BEAT)
    return header + b"".join(tracks)
