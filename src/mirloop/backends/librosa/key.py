"""Key and mode from CQT chroma correlated with key profiles."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from mirloop.backends.librosa.profiles import KEYS, PROFILES, key_confidence, key_correlations, tonal_weight
from mirloop.model import KeyEstimate
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option


class LibrosaKey(Backend):
    """Krumhansl–Schmuckler key finding on constant-Q chroma (24 keys: 12 tonics × major/minor).

    The chroma (C2–C8, 93-ms frames, each frame scaled to max 1) is averaged over each grid
    window and over the whole track and correlated with the 24 rotations of a key profile;
    the best correlation wins. Confidence is the best correlation times a saturating margin
    over the runner-up (:func:`~mirloop.backends.librosa.profiles.key_confidence`), times how
    far the chroma is from flat (:func:`~mirloop.backends.librosa.profiles.tonal_weight`), so
    noise and drums get low confidence.
    """

    name: ClassVar[str] = "librosa"
    stage: ClassVar[str] = "key"
    summary: ClassVar[str] = "Key and mode per window and track from CQT chroma and key profiles"
    options: ClassVar[dict[str, Option]] = {
        "profile": Option(
            "edma",
            str,
            "key profile: edma (default; right on cadences and on modal minor progressions), "
            "temperley or krumhansl",
            choices=tuple(PROFILES),
        ),
    }

    def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
        profile = self.opts["profile"]
        track_scores = key_correlations(ctx.track_chroma, profile)
        window_scores = key_correlations(ctx.window_chroma, profile)
        return KeyEstimate(
            key=KEYS[int(np.argmax(track_scores))],
            confidence=float(key_confidence(track_scores) * tonal_weight(ctx.track_chroma)),
            window_keys=tuple(KEYS[int(i)] for i in np.argmax(window_scores, axis=1)),
            window_confidence=key_confidence(window_scores) * tonal_weight(ctx.window_chroma),
        )
