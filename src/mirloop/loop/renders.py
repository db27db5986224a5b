"""The renders of one track: single-region candidates and multi-region ("stitched") variations.

Single-region: every top descriptor × top tempo × top key, each as long as the track.
Multi-region: one region per form segment with its descriptor, tempo and key (region lengths
equal segment durations), ``n`` times with a random band per region (seeded). Segments shorter
than :data:`MIN_REGION_SECONDS` join their predecessor. A track's tempo moves by octaves, and if
need be a few BPM, into the core of the descriptor's range, clear of the neighbouring momentum
levels (:func:`fit_tempo`: a 150-BPM track rendered as a 70–82-BPM style plays at 75).
A key whose mode contradicts the descriptor's tonality becomes its relative key (an E-minor
track rendered as an uplifting, major descriptor plays in G major: the same notes), because a
timeline key with a mode is played in that mode and a positive mood in minor would not sound
like itself.
"""

from __future__ import annotations

import hashlib
import traceback
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import frozen

from mirloop.errors import InvalidValueError, MirloopError
from mirloop.loop.reduce import Candidates
from mirloop.stages import result_problem
from mirloop.timeline import Timeline, TimelineWarning, multi_region, single_region
from mirloop.types.estimates import PITCH_CLASSES

if TYPE_CHECKING:
    import pandas as pd

    from mirloop.stages import Renderer
    from mirloop.types import Audio, RenderResult

SINGLE, MULTI = "single", "multi"
#: Shortest region a multi-region render gets, in seconds.
MIN_REGION_SECONDS = 1.0
#: Share of a descriptor's tempo range kept clear at either end when a render's tempo is fitted
#: (see :func:`fit_tempo`).
TEMPO_MARGIN = 0.25


@frozen
class LoopRender:
    """One render to make: ``kind`` is ``single`` or ``multi``; ``descriptor`` is the single
    region's descriptor (``None`` for multi); ``segments`` the input segment index of each region."""

    track: str
    kind: str
    index: int
    timeline: Timeline
    seed: int
    descriptor: str | None = None
    segments: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.index:02d}"


@frozen(eq=False)
class RenderOutcome:
    """A finished render (``audio``; ``result`` is the renderer's whole
    :class:`~mirloop.types.RenderResult`, with MIDI and stems) or a failed one (``error``)."""

    job: LoopRender
    audio: Audio | None = None
    error: str | None = None
    result: RenderResult | None = None

    @property
    def ok(self) -> bool:
        return self.audio is not None


def stable_seed(*parts: object) -> int:
    """A seed in [0, 2³¹) derived from ``parts`` (the same inputs always give the same seed)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def fit_tempo(descriptor: str, tempo: float | None, *, margin: float = TEMPO_MARGIN) -> float | None:
    """``tempo`` (BPM) as the descriptor plays it: the octave (×1, ×½, ×2, ×¼, ×4; the track's own
    first on ties) nearest, in log tempo, to the *core* of the descriptor's tempo range, clamped
    into that core; the core is the range without ``margin`` of its width at either end
    (``margin = 0``: the whole range). ``None`` stays ``None`` (the renderer picks).

    A mood's tempo range is a slice of its subgenre's, and the slices of neighbouring momentum
    levels overlap at their ends: a tempo at the edge of one slice is also a tempo of the next
    level, and renders there are heard as the neighbouring mood and momentum. The core keeps
    them apart; a tempo already inside the range moves by at most ``margin`` of its width.
    """
    if tempo is None or not np.isfinite(tempo) or tempo <= 0:
        return None
    if not 0.0 <= margin < 0.5:
        raise InvalidValueError(f"tempo margin must be in [0, 0.5), got {margin}")
    from mirloop.catalog import load_catalog

    low, high = load_catalog()[descriptor].style.tempo_range
    low, high = low + margin * (high - low), high - margin * (high - low)
    octaves = [tempo * 2.0**k for k in (0, -1, 1, -2, 2)]
    # the nearest in octaves (log tempo); min keeps the first on ties
    nearest = min(octaves, key=lambda t: max(np.log2(low / t), np.log2(t / high), 0.0))
    return round(float(min(max(nearest, low), high)), 1)


def fit_key(descriptor: str, key: str | None) -> str | None:
    """``key`` (``"E minor"``, ``"E:minor"``) in the descriptor's own mode — the mode of its first
    scale: unchanged when they agree, else the relative key (minor → major: a minor third up;
    major → minor: a minor third down). A key without a mode, or ``None``, stays as it is."""
    if not key:
        return key
    tonic, _, mode = key.replace(":", " ").partition(" ")
    mode = mode.strip().lower()
    if mode not in ("major", "minor") or tonic not in PITCH_CLASSES:
        return key
    from mirloop.catalog import load_catalog
    from mirloop.renderer.theory import scale_mode

    scales = load_catalog()[descriptor].style.scales
    wanted = scale_mode(scales[0]) if scales else mode
    if wanted == mode:
        return key
    shift = 3 if wanted == "major" else 9
    return f"{PITCH_CLASSES[(PITCH_CLASSES.index(tonic) + shift) % 12]} {wanted}"


def plan_single(
    track: str, candidates: Candidates, duration: float, *, seed: int = 0, tempo_margin: float = TEMPO_MARGIN
) -> list[LoopRender]:
    """A job per top descriptor × tempo × key, each ``duration`` s long with a random band
    (tempi fitted by :func:`fit_tempo` with ``tempo_margin``)."""
    jobs: list[LoopRender] = []
    tempi: Sequence[float | None] = candidates.tempi or (None,)
    keys: Sequence[str | None] = candidates.keys or (None,)
    for descriptor in candidates.descriptors:
        for tempo in tempi:
            for key in keys:
                job_seed = stable_seed(seed, track, SINGLE, len(jobs))
                timeline = single_region(
                    descriptor,
                    duration,
                    tempo=fit_tempo(descriptor, tempo, margin=tempo_margin),
                    key=fit_key(descriptor, key),
                    random_instruments=True,
                    seed=job_seed,
                )
                jobs.append(LoopRender(track, SINGLE, len(jobs), timeline, job_seed, descriptor=descriptor))
    return jobs


def region_specs(
    segments: pd.DataFrame, *, tempo_margin: float = TEMPO_MARGIN
) -> tuple[list[tuple[Any, ...]], tuple[int, ...]]:
    """``(start, end, descriptor, tempo, key)`` per region and the input segment of each.

    Segments without a descriptor or shorter than :data:`MIN_REGION_SECONDS` extend the previous
    region (or the next one, at the start).
    """
    regions: list[list[Any]] = []
    owners: list[int] = []
    pending_start: float | None = None
    for row in segments.itertuples(index=False):
        start, end = float(row.start), float(row.end)  # type: ignore[arg-type]
        descriptor = getattr(row, "descriptor", None)
        usable = isinstance(descriptor, str) and bool(descriptor) and end - start >= MIN_REGION_SECONDS
        if not usable:
            if regions:
                regions[-1][1] = end
            elif pending_start is None:
                pending_start = start
            continue
        if pending_start is not None:
            start, pending_start = pending_start, None
        name = str(descriptor)
        tempo, key = getattr(row, "tempo_bpm", None), getattr(row, "key", None)
        fitted = fit_tempo(name, tempo, margin=tempo_margin)
        regions.append([start, end, descriptor, fitted, fit_key(name, key)])
        owners.append(int(row.segment))  # type: ignore[arg-type]
    if pending_start is not None and regions:
        regions[-1][1] = max(regions[-1][1], float(segments["end"].to_numpy()[-1]))
    return [tuple(r) for r in regions], tuple(owners)


def plan_multi(
    track: str,
    segments: pd.DataFrame,
    *,
    renders: int = 10,
    seed: int = 0,
    joined: bool = True,
    tempo_margin: float = TEMPO_MARGIN,
) -> list[LoopRender]:
    """``renders`` stitched timelines over the segments, each with its own random bands; ``joined``
    plays the segments as sections of one piece (no intro or ring-out at inner boundaries)."""
    specs, owners = region_specs(segments, tempo_margin=tempo_margin)
    if not specs:
        return []
    jobs = []
    for index in range(renders):
        job_seed = stable_seed(seed, track, MULTI, index)
        timeline = multi_region(specs, joined=joined, random_instruments=True, seed=job_seed)
        jobs.append(LoopRender(track, MULTI, index, timeline, job_seed, segments=owners))
    return jobs


def run_render(job: LoopRender, renderer: Renderer) -> RenderOutcome:
    """Render ``job`` with a renderer backend; any failure becomes ``error``, never an exception."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TimelineWarning)  # tempi clamped into the descriptor's range
            result = renderer.render(job.timeline, seed=job.seed)
        problem = result_problem("renderer", result)
        if problem is not None:
            return RenderOutcome(job, error=f"the renderer's {problem}")
        if result.audio.n_samples == 0:
            return RenderOutcome(job, error="the renderer returned no audio")
        return RenderOutcome(job, audio=result.audio, result=result)
    except Exception as exc:  # a renderer bug must not stop the loop; keep where it happened
        return RenderOutcome(job, error=render_failure(exc))


def render_failure(exc: Exception) -> str:
    """What a render's failure says: a :class:`~mirloop.errors.MirloopError` by its type and
    message, anything else as unexpected, with where it happened."""
    if isinstance(exc, MirloopError):
        return f"{type(exc).__name__}: {exc}"
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"unexpected {type(exc).__name__}: {exc} (at {where.name}:{where.lineno})"
