"""Key and mode with Essentia's KeyExtractor."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import Key, KeyEstimate

from mirloop_essentia.runtime import standard, window_slices

#: Essentia key profiles (``Key``'s ``profileType``) offered as the ``profile`` option.
PROFILES: tuple[str, ...] = (
    "bgate", "edma", "edmm", "temperley", "temperley2005", "krumhansl", "shaath", "gomez", "noland",
    "faraldo", "braw", "diatonic", "tonictriad", "thpcp", "weichai",
)
#: Essentia tonic spellings that differ from mirloop's.
_ENHARMONIC = {"A#": "Bb", "Db": "C#", "D#": "Eb", "Gb": "F#", "G#": "Ab"}


class EssentiaKey(Backend):
    """Track key and per-window keys with Essentia's ``KeyExtractor`` and a key profile.

    ``KeyExtractor`` (HPCP after Gómez 2006: spectral peaks 25–3500 Hz with whitening,
    440-Hz reference, 186-ms frames, averaged and matched against a key profile) runs on the
    whole track and on each grid window's audio. ``profile`` picks the profile: ``bgate``
    (Essentia's default), ``edma``/``edmm`` (electronic dance music, Faraldo et al. 2016),
    ``temperley``, ``krumhansl``, … The confidence is Essentia's key strength (the profile
    correlation) clipped to [0, 1].
    """

    name: ClassVar[str] = "essentia"
    stage: ClassVar[str] = "key"
    summary: ClassVar[str] = "Essentia KeyExtractor (profiles bgate, edma, temperley, krumhansl, …)"
    options: ClassVar[dict[str, Option]] = {
        "profile": Option("bgate", str, "Essentia key profile (profileType)", choices=PROFILES),
    }

    def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
        extract = standard().KeyExtractor(sampleRate=ctx.sr, profileType=self.opts["profile"])
        track_key, track_strength = _key(extract, ctx.samples)
        windows = [_key(extract, ctx.samples[w])
                   for w in window_slices(ctx.grid.starts, ctx.grid.ends, ctx.sr, len(ctx.samples))]
        return KeyEstimate(
            key=track_key,
            confidence=track_strength,
            window_keys=tuple(k for k, _ in windows),
            window_confidence=np.array([s for _, s in windows]),
        )


def _key(extract: object, samples: np.ndarray) -> tuple[Key, float]:
    """Essentia's key of ``samples`` and its strength in [0, 1]; C major with 0 for silence."""
    if not np.any(samples):
        return Key("C", "major"), 0.0
    tonic, scale, strength = extract(np.ascontiguousarray(samples, dtype=np.float32))  # type: ignore[operator]
    mode = "minor" if scale == "minor" else "major"
    return Key(_ENHARMONIC.get(tonic, tonic), mode), float(np.clip(strength, 0.0, 1.0))
