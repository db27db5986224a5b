"""Bus processing of the streaming mix: side-chain ducking, guitar drive, the chain's chorus and
the genre production's master (one per section of a render that joins genres).

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
#: Time (s) over which a render of several sections moves from one section's gain, reverb send and
#: master to the next's, centred on each boundary.
SECTION_RAMP = 0.05


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


class SectionRamps:
    """Each section's weight over time, for sections starting at ``starts`` (s, in time order): 1
    inside the section, 0 outside, linear over :data:`SECTION_RAMP` centred on each boundary, so
    the weights sum to 1 everywhere."""

    def __init__(self, starts: Sequence[float], sr: int) -> None:
        half = SECTION_RAMP * sr / 2
        at = [start * sr for start in starts]
        #: Per section: first and last sample index of a non-zero weight, and the weight's breakpoints.
        self.spans: list[tuple[float, float, np.ndarray, np.ndarray]] = []
        for k, start in enumerate(at):
            end = at[k + 1] if k + 1 < len(at) else np.inf
            rise = (start - half, start + half) if k else (-np.inf, -np.inf)
            fall = (end - half, end + half) if np.isfinite(end) else (np.inf, np.inf)
            fall = (max(fall[0], rise[1]), max(fall[1], rise[1]))  # a section shorter than the ramp
            points = np.array([*rise, *fall])
            finite = np.isfinite(points)
            self.spans.append((rise[0], fall[1], points[finite], np.array([0.0, 1.0, 1.0, 0.0])[finite]))

    def slice(self, k: int, start: int, n: int) -> tuple[int, int]:
        """``(lo, hi)``: the samples of the block ``[start, start + n)`` where section ``k`` weighs."""
        first, last = self.spans[k][:2]
        lo, hi = (int(np.ceil(np.clip(edge - start, 0, n))) for edge in (first, last))
        return lo, hi

    def weight(self, k: int, start: int, stop: int) -> np.ndarray:
        """Section ``k``'s weight (float32) at samples ``[start, stop)``."""
        _, _, points, weights = self.spans[k]
        if not len(points):
            return np.ones(stop - start, dtype=np.float32)
        return np.interp(np.arange(start, stop, dtype=np.float64), points, weights).astype(np.float32)


class SectionMasters:
    """The masters of a render's sections: ``masters`` is ``(start s, master or None)`` per section
    in time order. Each section's material goes through its own master (a fresh compressor state,
    as in the section rendered alone; ``None`` passes it through), crossfaded as the sections'
    gains are (:class:`SectionRamps`)."""

    def __init__(self, masters: Sequence[tuple[float, Master | None]], sr: int) -> None:
        self.ramps = SectionRamps([start for start, _ in masters], sr)
        self.buses = [MasterBus(master, sr) if master is not None else None for _, master in masters]

    def process(self, block: np.ndarray, start: int) -> np.ndarray:
        n = block.shape[1]
        out = np.zeros_like(block, dtype=np.float32)
        for k, bus in enumerate(self.buses):
            lo, hi = self.ramps.slice(k, start, n)
            if lo >= hi:
                continue
            part = block[:, lo:hi]
            heard = bus.process(part, start + lo) if bus is not None else part
            out[:, lo:hi] += heard * self.ramps.weight(k, start + lo, start + hi)[None, :]
        return out


def master_for(sections: Sequence[tuple[float, Master | None]], sr: int) -> BusProcessor | None:
    """The master bus of a render whose sections (``(start s, master or None)``) have these masters:
    none, one :class:`MasterBus`, or :class:`SectionMasters` when they differ."""
    masters = {master for _, master in sections}
    if len(masters) == 1:
        (only,) = masters
        return MasterBus(only, sr) if only is not None else None
    return SectionMasters(sections, sr)
