"""Key and mode from note or CQT chroma correlated with key profiles."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from mirloop.backends.librosa.notes import note_chroma
from mirloop.backends.librosa.profiles import (
    BLENDS,
    KEYS,
    PROFILES,
    key_confidence,
    key_correlations,
    tonal_weight,
)
from mirloop.errors import OptionError
from mirloop.model import KeyEstimate
from mirloop.signal import TrackContext
from mirloop.signal.context import frames_scaled_to_max
from mirloop.signal.windows import window_mean_std
from mirloop.stages import Backend, Option


class LibrosaKey(Backend):
    """Krumhansl–Schmuckler key finding on note or constant-Q chroma (24 keys: 12 tonics × major/minor).

    With ``tuning`` (the default), the track's tuning offset is estimated from the CQT's three
    bins per semitone and the chroma corrected for it (:mod:`mirloop.signal.tuning`), so a
    recording tuned away from A = 440 Hz is read in its own key, not between two. The chroma
    (C2–C8, 93-ms frames, each frame scaled to max 1) is by default the CQT folded into pitch
    classes as it is, or, with ``chroma="notes"``, the *note chroma* of
    :mod:`~mirloop.backends.librosa.notes` — the pitch classes of the notes that explain the
    spectrum, their harmonics taken out. It is averaged over each grid window and over the whole
    track and correlated with the 24 rotations of a key profile; the best correlation wins.
    Confidence is the best correlation times a saturating margin over the runner-up
    (:func:`~mirloop.backends.librosa.profiles.key_confidence`), times how far the chroma is
    from flat (:func:`~mirloop.backends.librosa.profiles.tonal_weight`), so
    noise and drums get low confidence.
    """

    name: ClassVar[str] = "librosa"
    stage: ClassVar[str] = "key"
    summary: ClassVar[str] = "Key and mode per window and track from CQT chroma and key profiles"
    options: ClassVar[dict[str, Option]] = {
        "chroma": Option(
            "cqt",
            str,
            "chroma the profiles read: cqt (default; the constant-Q spectrum folded into pitch classes) "
            "or notes (pitch classes of an approximate transcription, harmonics taken out: better on "
            "solo melodies, worse on chords over a bass)",
            choices=("cqt", "notes"),
        ),
        "profile": Option(
            "edma",
            str,
            "key profile: edma (default; right on cadences and on modal minor progressions), "
            "albrecht (best on tonal melodies, misses modal minor progressions), albrecht+krumhansl "
            "(the mean of both correlations; best with chroma=notes), temperley or krumhansl",
            choices=tuple(PROFILES) + tuple(BLENDS),
        ),
        "tuning": Option(
            True, bool, "estimate the track's tuning offset and correct the chroma before the profile match"
        ),
        "harmonics": Option(
            1,
            int,
            "harmonics each profile pitch class sounds in the templates (Gómez 2006; 1: none, 4: essentia's)",
        ),
    }

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        if self.opts["harmonics"] < 1:
            raise OptionError(
                f"key backend 'librosa': harmonics must be at least 1 (the fundamental alone), "
                f"got {self.opts['harmonics']}"
            )

    def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
        profile, harmonics = self.opts["profile"], self.opts["harmonics"]
        if self.opts["chroma"] == "notes":
            tuning = ctx.tuning if self.opts["tuning"] else 0.0
            chroma = frames_scaled_to_max(note_chroma(ctx.constant_q.db, tuning))
            track_chroma = np.asarray(chroma.mean(axis=1), dtype=np.float64)
            window_chroma = window_mean_std(chroma, ctx.chroma_frame_rate, ctx.grid)[0]
        elif self.opts["tuning"]:
            chroma = ctx.tuned_chroma
            track_chroma = np.asarray(chroma.mean(axis=1), dtype=np.float64)
            window_chroma = window_mean_std(chroma, ctx.chroma_frame_rate, ctx.grid)[0]
        else:
            track_chroma, window_chroma = ctx.track_chroma, ctx.window_chroma
        track_scores = key_correlations(track_chroma, profile, harmonics)
        window_scores = key_correlations(window_chroma, profile, harmonics)
        return KeyEstimate(
            key=KEYS[int(np.argmax(track_scores))],
            confidence=float(key_confidence(track_scores) * tonal_weight(track_chroma)),
            window_keys=tuple(KEYS[int(i)] for i in np.argmax(window_scores, axis=1)),
            window_confidence=key_confidence(window_scores) * tonal_weight(window_chroma),
        )
