"""Block-wise playback of parts on the NumPy voices of :mod:`mirloop.renderer.voices`.

:class:`VoiceSynth` has the interface of :class:`~mirloop.renderer.synth.BlockSynth`
(``render(frames)`` → ``(frames, 2)``, ``close()``): each note is synthesised whole (with its
release) when the playback reaches it and mixed in slice by slice, so memory holds only the
sounding notes, whatever the render's length. A note's samples depend only on the voice, pitch,
length and the render seed (its noise and oscillator phases are drawn from a generator seeded by
them; velocity only scales them), so a render is the same on every run and block size, and repeated notes (a
drum machine's hits, a loop's chords) are synthesised once and reused (a :class:`NoteCache`, which
one render shares between its level probes and its players).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import numpy as np

from mirloop.renderer.guitar import steel_guitar
from mirloop.renderer.rap import rap
from mirloop.renderer.score import Part
from mirloop.renderer.synth import ChannelGain, part_mix
from mirloop.renderer.vocal import vocal
from mirloop.renderer.voices import PITCHED, Voice, drum_hit, velocity_gain

#: Fade (s) at a part's hard cut.
CUT_FADE = 0.005
#: Bytes of synthesised notes a :class:`NoteCache` keeps for reuse.
CACHE_BYTES = 192 * 2**20
#: Every pitched voice by name: the synths of :mod:`~mirloop.renderer.voices`, the singing voice
#: (:mod:`~mirloop.renderer.vocal`), the rapping voice (:mod:`~mirloop.renderer.rap`) and the
#: steel-string guitar (:mod:`~mirloop.renderer.guitar`).
VOICES: dict[str, Voice] = {**PITCHED, "vocal": vocal, "rap": rap, "steel_guitar": steel_guitar}


def voice_note(
    voice: str, pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator
) -> np.ndarray | None:
    """The stereo samples of one note on ``voice`` (a :data:`VOICES` name
    or ``kit:NAME``, a drum machine of :data:`~mirloop.renderer.voices.KITS`)."""
    if voice.startswith("kit:"):
        return drum_hit(voice[4:], pitch, velocity, sr, rng)
    return VOICES[voice](pitch, velocity, max(length, 0.02), sr, rng)


class NoteCache:
    """Synthesised notes (float32, full velocity, centred) by voice, pitch, length (ms), render
    seed and rate, the least recently used dropped past ``max_bytes``. A note is a pure function
    of its key, so one cache can serve every :class:`VoiceSynth` of a render, its level probes
    included, and the render is the same with or without it."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.notes: dict[tuple[int, int, str, int, int], np.ndarray] = {}  # insertion order = recency
        self.nbytes = 0

    def note(self, voice: str, pitch: int, length_ms: int, sr: int, seed: int) -> np.ndarray:
        key = (seed, sr, voice, pitch, length_ms)
        samples = self.notes.pop(key, None)
        if samples is None:
            rng = np.random.default_rng([seed, zlib.crc32(voice.encode()), pitch, length_ms])
            made = voice_note(voice, pitch, 127, length_ms / 1000, sr, rng)
            samples = made.astype(np.float32) if made is not None else np.zeros((2, 0), dtype=np.float32)
        else:
            self.nbytes -= samples.nbytes
        self.notes[key] = samples
        self.nbytes += samples.nbytes
        while self.nbytes > self.max_bytes and len(self.notes) > 1:
            self.nbytes -= self.notes.pop(next(iter(self.notes))).nbytes
        return samples

    def clear(self) -> None:
        self.notes, self.nbytes = {}, 0


class VoiceSynth:
    """Plays ``parts`` on ``voices`` (one name per part) from sample 0 on; ``gains`` maps a part's
    position in ``parts`` to a gain curve (side-chain ducking); ``seed`` seeds the noise; ``cache``
    holds the synthesised notes (a render passes one to all its synths; default: this synth's own)."""

    def __init__(
        self,
        parts: Sequence[Part],
        voices: Sequence[str],
        sr: int,
        n_samples: int,
        *,
        seed: int = 0,
        keys: Sequence[int] | None = None,
        gains: Mapping[int, ChannelGain] | None = None,
        cache: NoteCache | None = None,
    ) -> None:
        self.sr, self.seed = sr, seed & 0xFFFFFFFF
        self.parts, self.voices = list(parts), list(voices)
        self.keys = list(keys) if keys is not None else list(range(len(self.parts)))
        self.mix = part_mix(self.parts)
        self.gains = gains or {}
        events = []
        for p, part in enumerate(self.parts):
            for k, note in enumerate(part.notes):
                on = round(note.start * sr)
                if on < n_samples and (part.cut is None or note.start < part.cut):
                    events.append((on, p, k))
        events.sort()
        self.events = events
        self.cursor = 0
        self.position = 0
        self.sounding: list[tuple[int, int, np.ndarray]] = []  # (start sample, part, samples)
        self.cache = cache if cache is not None else NoteCache()
        self.own_cache = cache is None

    def close(self) -> None:
        self.sounding = []
        if self.own_cache:
            self.cache.clear()

    def __enter__(self) -> VoiceSynth:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _note(self, on: int, p: int, k: int) -> np.ndarray | None:
        part = self.parts[p]
        note = part.notes[k]
        voice = self.voices[p]
        length_ms = max(1, round((note.end - note.start) * 1000))
        samples = self.cache.note(voice, note.pitch, length_ms, self.sr, self.seed)
        if not samples.size:
            return None
        level, pan = self.mix[p]
        level *= velocity_gain(voice, note.velocity)
        if not self.voices[p].startswith("kit:"):
            samples = samples * np.array([[np.cos(pan * np.pi / 2)], [np.sin(pan * np.pi / 2)]]) * np.sqrt(2)
        samples = samples * level
        if part.cut is not None:
            stop = round(part.cut * self.sr) - on
            if stop < samples.shape[1]:
                fade = max(1, int(CUT_FADE * self.sr))
                samples = samples[:, : max(stop, 0) + fade].copy()
                tail = samples.shape[1] - max(stop, 0)
                samples[:, samples.shape[1] - tail :] *= np.linspace(1.0, 0.0, tail)
        return samples

    def render(self, frames: int) -> np.ndarray:
        """The next ``frames`` frames as float32 of shape ``(frames, 2)``."""
        start, stop = self.position, self.position + frames
        while self.cursor < len(self.events) and self.events[self.cursor][0] < stop:
            on, p, k = self.events[self.cursor]
            self.cursor += 1
            samples = self._note(on, p, k)
            if samples is not None and samples.size:
                self.sounding.append((on, p, samples))
        out = np.zeros((len(self.parts), 2, frames)) if self.gains else np.zeros((1, 2, frames))
        kept = []
        for on, p, samples in self.sounding:
            a, b = max(on, start), min(on + samples.shape[1], stop)
            if a < b:
                out[p if self.gains else 0, :, a - start : b - start] += samples[:, a - on : b - on]
            if on + samples.shape[1] > stop:
                kept.append((on, p, samples))
        self.sounding = kept
        for p, curve in self.gains.items():
            out[p] *= curve.gain(start, frames)[None, :]
        self.position = stop
        return out.sum(axis=0).T.astype(np.float32)
