"""The streaming render: synthesis → master gain → reverb → limiter, one block at a time.

A render of several sections may give each its own gain and reverb send
(:attr:`MixSettings.sections`); they change over :data:`SECTION_RAMP` around each boundary.

:func:`stream_audio` yields consecutive output blocks covering exactly ``round(duration * sr)``
samples; nothing in it grows with the render's length, so a long render written straight to
a file uses the same memory as a short one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
from attrs import frozen

from mirloop.renderer.buses import SECTION_RAMP, BusProcessor, SectionRamps
from mirloop.renderer.channels import Channel
from mirloop.renderer.limiter import Limiter
from mirloop.renderer.reverb import FdnReverb
from mirloop.renderer.score import Score
from mirloop.renderer.synth import BlockSynth, ChannelGain, part_events
from mirloop.renderer.voice_synth import VoiceSynth

END_FADE = 0.005  # s of fade-out at the very end, so a render never ends on a click


@frozen
class MixSettings:
    """Mixing parameters: linear master ``gain``, reverb ``wet`` level and RT60 ``decay`` (s),
    limiter ``ceiling_db`` (dBFS) and processing ``block`` size (samples). ``sections``, when
    given, overrides ``gain`` and ``wet`` per section: ``(start s, gain, wet)`` in time order;
    ``decays``, one per section, their rooms' RT60s (s), overrides ``decay``: each section is sent
    to a reverb of its own decay, whose tail rings on into the next section."""

    gain: float = 1.0
    wet: float = 0.18
    decay: float = 1.6
    ceiling_db: float = -2.0
    block: int = 16384
    sections: tuple[tuple[float, float, float], ...] = ()
    decays: tuple[float, ...] = ()

    def curves(self, sr: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Breakpoint sample positions and the gain and wet at each (``None`` for one section):
        constant within a section, linear over :data:`SECTION_RAMP` centred on each boundary."""
        if len(self.sections) < 2:
            return None
        half = SECTION_RAMP * sr / 2
        points, gains, wets = [0.0], [self.sections[0][1]], [self.sections[0][2]]
        for (_, gain_before, wet_before), (start, gain, wet) in zip(self.sections, self.sections[1:]):
            at = start * sr
            points += [max(at - half, points[-1]), max(at + half, points[-1])]
            gains += [gain_before, gain]
            wets += [wet_before, wet]
        return np.asarray(points), np.asarray(gains), np.asarray(wets)


@frozen
class Block:
    """Output samples ``[start, start + n)``: the ``mix`` (2, n) and, if asked, dry ``stems``
    per instrument."""

    start: int
    mix: np.ndarray
    stems: dict[str, np.ndarray] | None = None


class _Delay:
    """A fixed delay line for ``(2, n)`` blocks."""

    def __init__(self, samples: int) -> None:
        self.tail = np.zeros((2, samples), dtype=np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        joined = np.concatenate([self.tail, block], axis=1)
        self.tail = joined[:, block.shape[1] :]
        return joined[:, : block.shape[1]]


def stream_audio(
    score: Score,
    channels: list[Channel],
    soundfont: Path,
    sr: int,
    settings: MixSettings,
    *,
    stems: bool = False,
    treatments: Sequence[tuple[str, ...]] | None = None,
    processors: Callable[[tuple[str, ...], list[int]], list[BusProcessor]] | None = None,
    ducker: ChannelGain | None = None,
    voices: Callable[[list[int]], VoiceSynth] | None = None,
    master: BusProcessor | None = None,
) -> Iterator[Block]:
    """Render ``score`` block by block (see the module docstring).

    ``treatments`` names each part's bus treatments (:func:`mirloop.renderer.idioms.part_treatments`).
    A ``duck`` part has its channel volume scaled by ``ducker`` inside its synthesizer; parts with
    the same other treatments (``drive``, ``chorus``) share a bus with a synthesizer of its own, and
    ``processors(treatments, part indices)`` makes the bus's processors
    (:mod:`mirloop.renderer.buses`), applied after the master gain. Parts treated ``voice`` play on
    the NumPy voices of the synthesizer ``voices(part indices)`` makes
    (:class:`~mirloop.renderer.voice_synth.VoiceSynth`) instead of the SoundFont. ``master``
    processes the mix and its reverb before the limiter (the genre production's glue compressor
    and EQ). Stems carry their bus
    processing (but no reverb).
    """
    total = round(score.duration * sr)
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for index, part in enumerate(score.parts):
        treated = tuple(t for t in (treatments[index] if treatments is not None else ()) if t != "duck")
        groups.setdefault((part.instrument.name if stems else "mix", treated), []).append(index)

    def automation(members: list[int]) -> dict[int, ChannelGain] | None:
        if ducker is None or treatments is None:
            return None
        return {channels[i].synth: ducker for i in members if "duck" in treatments[i]} or None

    def make_synth(key: tuple[str, tuple[str, ...]], members: list[int]) -> BlockSynth | VoiceSynth:
        if voices is not None and "voice" in key[1]:
            return voices(members)
        return BlockSynth(
            soundfont,
            sr,
            part_events(tuple(score.parts[i] for i in members), [channels[i] for i in members], sr, total),
            automation=automation(members),
        )

    synths = {key: make_synth(key, members) for key, members in groups.items()}
    inserts = {
        key: processors(tuple(t for t in key[1] if t != "voice"), members)
        if processors is not None and set(key[1]) - {"voice"}
        else []
        for key, members in groups.items()
    }
    position = 0  # synth sample index of the next block
    reverb = SectionReverbs(settings, sr)
    limiter = Limiter(ceiling_db=settings.ceiling_db, window=max(64, int(0.03 * sr)))
    delays = {name: _Delay(limiter.latency) for name, _ in synths} if stems else {}
    latency = limiter.latency
    fade_start = max(0, total - int(END_FADE * sr))
    produced = -latency  # index of the next output sample (negative while the limiter fills up)
    curves = settings.curves(sr)
    try:
        while produced < total:
            n = settings.block  # always whole blocks; what runs past the end is dropped
            gain: np.ndarray | np.float32 = np.float32(settings.gain)
            wet: np.ndarray | np.float32 = np.float32(settings.wet)
            if curves is not None:  # per-section levels; the synths are `latency` samples ahead
                at = np.arange(produced + latency, produced + latency + n, dtype=np.float64)
                gain = np.interp(at, curves[0], curves[1]).astype(np.float32)[None, :]
                wet = np.interp(at, curves[0], curves[2]).astype(np.float32)[None, :]
            buses = {key: synth.render(n).T * gain for key, synth in synths.items()}
            for key, chain in inserts.items():
                for processor in chain:
                    buses[key] = processor.process(buses[key], position)
            position += n
            dry: dict[str, np.ndarray] = {}
            for (name, _), samples in buses.items():
                dry[name] = dry[name] + samples if name in dry else samples
            parts = list(dry.values())
            mix: np.ndarray = np.zeros((2, n), dtype=np.float32)
            if parts:
                mix = parts[0] if len(parts) == 1 else np.add.reduce(parts, dtype=np.float32)
            mix = mix + reverb.process(mix, position - n) * wet
            if master is not None:
                mix = master.process(mix, position - n).astype(np.float32)
            out = limiter.process(mix)
            stem_out = (
                {
                    name: delays[name].process(block) * limiter.last_gain[None, :]
                    for name, block in dry.items()
                }
                if stems
                else None
            )
            first = max(0, -produced)
            last = min(n, total - produced)
            if first < last:
                start = produced + first
                out = out[:, first:last]
                if stem_out is not None:
                    stem_out = {k: v[:, first:last] for k, v in stem_out.items()}
                end = start + out.shape[1]
                if end > fade_start:
                    ramp = _fade(start, end, fade_start, total)
                    out = out * ramp
                    if stem_out is not None:
                        stem_out = {k: v * ramp for k, v in stem_out.items()}
                yield Block(start, out.astype(np.float32, copy=False), stem_out)
            produced += n
    finally:
        for synth in synths.values():
            synth.close()


class SectionReverbs:
    """The render's reverb: one room, or, when :attr:`MixSettings.decays` differ, one per decay,
    each fed its sections' share of the mix (:class:`~mirloop.renderer.buses.SectionRamps`)."""

    def __init__(self, settings: MixSettings, sr: int) -> None:
        distinct = dict.fromkeys(settings.decays)
        self.decays = settings.decays if len(distinct) > 1 else ()
        self.rooms = {d: FdnReverb(sr, decay=d) for d in distinct} if self.decays else {}
        self.room = None if self.decays else FdnReverb(sr, decay=settings.decay)
        self.ramps = SectionRamps([s[0] for s in settings.sections], sr) if self.decays else None

    def process(self, mix: np.ndarray, start: int) -> np.ndarray:
        """The wet signal of the ``(2, n)`` block of the mix starting at sample ``start``."""
        if self.room is not None:
            return self.room.process(mix)
        assert self.ramps is not None
        n = mix.shape[1]
        sends = {d: np.zeros_like(mix) for d in self.rooms}
        for k, decay in enumerate(self.decays):
            lo, hi = self.ramps.slice(k, start, n)
            if lo < hi:
                weight = self.ramps.weight(k, start + lo, start + hi)
                sends[decay][:, lo:hi] += mix[:, lo:hi] * weight[None, :]
        wet = [room.process(sends[d]) for d, room in self.rooms.items()]
        return np.add.reduce(wet, dtype=np.float32) if len(wet) > 1 else wet[0]


def _fade(start: int, end: int, fade_start: int, total: int) -> np.ndarray:
    index = np.arange(start, end, dtype=np.float64)
    length = max(1, total - fade_start)
    return np.clip((total - index) / length, 0.0, 1.0).astype(np.float32)[None, :]
