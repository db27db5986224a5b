"""Bus processing of the streaming mix: side-chain ducking, guitar drive, and the chain's chorus.

A bus processor takes consecutive ``(2, n)`` blocks with the absolute sample index of the
block's first sample (``process(block, start)``) and keeps whatever state it needs between
blocks, so a bus is processed in one streaming pass like the rest of the render. Each bus needs
a synthesizer of its own (a loaded SoundFont takes 100–500 MB), so ducking, a gain only, is done
on the ducked channels' volume inside the one synthesizer (:class:`Ducker` is its gain curve).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from mirloop.renderer.genre_sound import Master
from mirloop.renderer.idioms import DRIVE_DB, KICKS, sidechain_of
from mirloop.renderer.score import Score
from mirloop.types import Descriptor

#: Ducking reaches its full depth this long after the kick (s).
DUCK_ATTACK = 0.004
#: Cut-off (Hz) of the driven bus's cabinet low-pass (a guitar speaker rolls off above ~5 kHz).
CABINET_HZ = 5500.0
#: Level (linear) around which the waveshaper bends: a bus peaking near it saturates by ``drive``.
DRIVE_REFERENCE = 0.12


class BusProcessor(Protocol):
    def process(self, block: np.ndarray, start: int) -> np.ndarray: ...


class Ducker:
    """Gain dips of ``depth_db`` at each of ``kicks`` (sample indices), reached over
    :data:`DUCK_ATTACK` and released exponentially: back within 1 dB of unity after ``release`` s."""

    def __init__(self, kicks: Sequence[int], *, depth_db: float, release: float, sr: int) -> None:
        self.kicks = np.asarray(sorted(kicks), dtype=np.float64)
        self.depth_db = float(depth_db)
        self.attack = max(1.0, DUCK_ATTACK * sr)
        # depth·exp(-release/tau) = 1 dB
        self.tau = release * sr / max(np.log(max(self.depth_db, 1.0 + 1e-9)), 1e-3)

    def gain(self, start: int, n: int) -> np.ndarray:
        """The linear gain of samples ``[start, start + n)``."""
        t = np.arange(start, start + n, dtype=np.float64)
        if not self.kicks.size:
            return np.ones(n, dtype=np.float32)
        index = np.searchsorted(self.kicks, t, side="right") - 1
        since = np.where(index >= 0, t - self.kicks[np.maximum(index, 0)], np.inf)
        ramp = np.clip(since / self.attack, 0.0, 1.0)
        dip = self.depth_db * ramp * np.exp(-np.maximum(since - self.attack, 0.0) / self.tau)
        dip = np.where(np.isfinite(since), dip, 0.0)
        return (10 ** (-dip / 20)).astype(np.float32)


class Drive:
    """A tanh waveshaper with ``drive_db`` of gain into it, then a 2nd-order cabinet low-pass.
    Quiet signals gain ``drive_db``; peaks flatten at about :data:`DRIVE_REFERENCE`."""

    def __init__(self, drive_db: float, sr: int) -> None:
        from scipy.signal import butter

        self.gain = 10 ** (drive_db / 20) / DRIVE_REFERENCE
        self.b, self.a = butter(2, min(CABINET_HZ, 0.45 * sr) / (sr / 2))
        self.state = np.zeros((2, 2))

    def process(self, block: np.ndarray, start: int) -> np.ndarray:
        from scipy.signal import lfilter

        shaped = DRIVE_REFERENCE * np.tanh(block.astype(np.float64) * self.gain)
        out, self.state = lfilter(self.b, self.a, shaped, axis=1, zi=self.state)
        return out.astype(np.float32)


def kick_samples(score: Score, descriptors: Sequence[Descriptor], sr: int) -> dict[int, list[int]]:
    """Kick onsets (sample indices) of each ducking region's drum parts, by region."""
    kicks: dict[int, list[int]] = {}
    for part in score.parts:
        if part.instrument.drums and sidechain_of(descriptors[part.region]) is not None:
            kicks.setdefault(part.region, []).extend(
                round(n.start * sr) for n in part.notes if n.pitch in KICKS
            )
    return kicks


def ducker_for(score: Score, descriptors: Sequence[Descriptor], sr: int) -> Ducker | None:
    """The side-chain gain of a render: a dip at every kick of its ducking regions (``None`` when no
    region ducks). Overlapping regions' depths and releases are those of the deepest."""
    kicks = kick_samples(score, descriptors, sr)
    if not kicks:
        return None
    depth, release = max((sidechain_of(descriptors[r]) or (0.0, 0.1) for r in kicks), key=lambda dr: dr[0])
    onsets = sorted(k for region in kicks.values() for k in region)
    return Ducker(onsets, depth_db=depth, release=release, sr=sr)


def make_processors(
    treatments: tuple[str, ...],
    programs: Sequence[int],
    sr: int,
    chorus: Callable[[int], BusProcessor] | None = None,
) -> list[BusProcessor]:
    """Fresh processors for a bus carrying ``treatments`` (drive, then chorus) for parts playing
    ``programs``; ``chorus`` makes the chorus insert (``chorus(sr)``). Ducking is not a bus
    processor: the synthesizer scales the ducked channels (:func:`ducker_for`)."""
    processors: list[BusProcessor] = []
    if "drive" in treatments:
        processors.append(Drive(max(DRIVE_DB.get(p, 0.0) for p in programs), sr))
    if "chorus" in treatments and chorus is not None:
        processors.append(chorus(sr))
    return processors


class MasterBus:
    """The genre production's master: a glue compressor with make-up gain, then shelving EQ
    (see :class:`mirloop.renderer.genre_sound.Master`)."""

    def __init__(self, master: Master, sr: int) -> None:
        from mirloop.renderer.effects.compressor import Compressor
        from mirloop.renderer.effects.eq import Equaliser, high_shelf, low_shelf

        self.compressor = Compressor(
            sr,
            threshold_db=master.threshold_db,
            ratio=master.ratio,
            attack_ms=master.attack_ms,
            release_ms=master.release_ms,
        )
        self.makeup = 10 ** (master.makeup_db / 20)
        sections = []
        if master.low_db:
            sections.append(low_shelf(90.0, master.low_db, sr))
        if master.high_db:
            sections.append(high_shelf(7000.0, master.high_db, sr))
        self.eq = Equaliser(sections) if sections else None

    def process(self, block: np.ndarray, start: int) -> np.ndarray:
        out = self.compressor.process(block) * self.makeup
        if self.eq is not None:
            out = self.eq.process(out)
        return out.astype(np.float32)
