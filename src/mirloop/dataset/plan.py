"""The render plan of a dataset: which renders to make, each fully determined by the master seed.

For every descriptor and every duration, ``per_descriptor`` renders, each with its own tempo
(uniform in the descriptor's tempo range), band (instrumentation, uniform over the
descriptor's bands), tonic and render seed. A job's random choices depend only on the master
seed, the descriptor name, the duration and the index — never on which other jobs exist — so
``--limit-descriptors``, a resumed run or another worker count plan identical renders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from attrs import asdict, frozen

from mirloop.types.descriptor import Descriptor
from mirloop.types.estimates import PITCH_CLASSES

#: The paper's dataset: 33 renders of each descriptor at each of 10, 30 and 60 s.
DEFAULT_PER_DESCRIPTOR = 33
DEFAULT_DURATIONS: tuple[float, ...] = (10.0, 30.0, 60.0)


@frozen
class RenderJob:
    """One render to make: ``duration`` in s, ``tempo`` in BPM, ``band`` name ('' = renderer's choice)."""

    render_id: str
    descriptor: str
    duration: float
    index: int
    tempo: float
    band: str
    tonic: str
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def job_seed(master: int, descriptor: str, duration: float, index: int) -> int:
    """A 31-bit seed from the master seed and the job's identity (stable across runs and machines)."""
    text = f"{master}|{descriptor}|{duration:g}|{index}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "big") & 0x7FFFFFFF


def render_id(descriptor: str, duration: float, index: int) -> str:
    return f"{descriptor}-{duration:g}s-{index:03d}"


def plan_job(descriptor: Descriptor, duration: float, index: int, master_seed: int) -> RenderJob:
    """The job for render ``index`` of ``descriptor`` at ``duration`` seconds."""
    seed = job_seed(master_seed, descriptor.name, duration, index)
    rng = np.random.default_rng(seed)
    low, high = descriptor.style.tempo_range
    tempo = round(float(rng.uniform(low, high)), 1) if high > low else float(low)
    bands = descriptor.style.bands
    band = bands[int(rng.integers(len(bands)))].name if bands else ""
    tonic = PITCH_CLASSES[int(rng.integers(len(PITCH_CLASSES)))]
    return RenderJob(
        render_id(descriptor.name, duration, index),
        descriptor.name,
        float(duration),
        index,
        tempo,
        band,
        tonic,
        int(rng.integers(2**31 - 1)),
    )


def plan_jobs(
    descriptors: Iterable[Descriptor],
    *,
    per_descriptor: int = DEFAULT_PER_DESCRIPTOR,
    durations: Sequence[float] = DEFAULT_DURATIONS,
    seed: int = 0,
) -> list[RenderJob]:
    """Every job of the dataset, ordered by descriptor, duration and index."""
    return [
        plan_job(d, float(duration), i, seed)
        for d in descriptors
        for duration in durations
        for i in range(per_descriptor)
    ]
