"""Key and mode from note or CQT chroma correlated with key profiles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from attrs import frozen

from mirloop.backends.librosa.notes import note_chromas, onset_polyphony
from mirloop.backends.librosa.profiles import (
    BLENDS,
    KEYS,
    PROFILES,
    key_confidence,
    key_correlations,
    tonal_weight,
)
from mirloop.errors import OptionError
from mirloop.signal import TrackContext
from mirloop.signal.context import frames_scaled_to_max
from mirloop.signal.key_path import key_path
from mirloop.signal.windows import window_mean_std
from mirloop.stages import Backend, Option
from mirloop.types import KeyEstimate

#: Frames (93 ms each) over which a note's rise makes the attack chroma.
ATTACK_LAG = 2


#: Onset polyphony at or under which a track is one melodic line, and at or over which it is harmony.
MELODY_POLYPHONY, HARMONY_POLYPHONY = 1.5, 2.5


def melody_share(polyphony: float | None) -> float:
    """How much of a track is one melodic line, from its
    :func:`~mirloop.backends.librosa.notes.onset_polyphony`: 1 up to :data:`MELODY_POLYPHONY`
    (a line of single notes), 0 from :data:`HARMONY_POLYPHONY` (triads over a bass, drums),
    linear between; 0 when nothing rises."""
    if polyphony is None:
        return 0.0
    span = HARMONY_POLYPHONY - MELODY_POLYPHONY
    return float(np.clip((HARMONY_POLYPHONY - polyphony) / span, 0.0, 1.0))


@frozen(eq=False)
class Reading:
    """One chroma read against its profile: its prior share, its key scores (track ``(24,)``,
    windows ``(n, 24)``) and how far its chroma is from flat (track, windows)."""

    prior: float
    track_scores: np.ndarray
    window_scores: np.ndarray
    track_tonal: float
    window_tonal: np.ndarray


def reading_shares(
    priors: Sequence[float], scores: Sequence[np.ndarray], *, by_confidence: bool = True
) -> list[np.ndarray]:
    """The share of each reading in the mixed key scores, for one track (``scores`` of shape
    ``(24,)``: shares of shape ``()``) or for windows (``(n, 24)``: shares ``(n,)``).

    ``by_confidence``: each prior times the :func:`~mirloop.backends.librosa.profiles.key_confidence`
    of the reading's own scores, renormalised to sum 1; where no reading is confident (every
    confidence 0), the priors as they are. Otherwise the priors alone.
    """
    fixed = [np.full(np.shape(s)[:-1], p, dtype=np.float64) for p, s in zip(priors, scores)]
    if not by_confidence:
        return fixed
    weighted = [p * np.asarray(key_confidence(s), dtype=np.float64) for p, s in zip(priors, scores)]
    total = np.sum(weighted, axis=0)
    return [np.where(total > 1e-9, w / np.maximum(total, 1e-9), f) for w, f in zip(weighted, fixed)]


class LibrosaKey(Backend):
    """Krumhansl–Schmuckler key finding on note or constant-Q chroma (24 keys: 12 tonics × major/minor).

    With ``tuning`` (the default), the track's tuning offset is estimated from the CQT's three
    bins per semitone and the chroma corrected for it (:mod:`mirloop.signal.tuning`), so a
    recording tuned away from A = 440 Hz is read in its own key, not between two. The chroma
    (C2–C8, 93-ms frames, each frame scaled to max 1) is averaged over each grid window and over
    the whole track and correlated with the 24 rotations of a key profile; the best correlation
    wins. Two chromas are read: the CQT folded into pitch classes as it is (with ``profile``,
    ``edma`` by default), and the *note chroma* of :mod:`~mirloop.backends.librosa.notes` — the
    pitch classes of the notes that explain the spectrum, their harmonics taken out (with
    ``notes_profile``, ``albrecht+krumhansl`` by default); a key's score is their weighted mean,
    ``notes_weight`` (0.3) on the note chroma's. With ``weighting="confidence"`` each reading's
    share is ``notes_weight`` or ``1 - notes_weight`` times the confidence of its own best key,
    renormalised, track and window alike (:func:`reading_shares`): the reading that hears one key
    clearly outvotes the one torn between two. With ``notes_weight=0.5`` it reads melodies better
    than the fixed shares and chords over a bass slightly worse (docs/backends-comparison.md).
    A third reading, off by default, is the *attack chroma* (``attack_weight``, read with
    ``notes_profile``): each note counted when it starts, so a voice that rings on does not smear
    a melody note into the next; its share comes out of the CQT chroma's.
    With ``melody_gate`` (the default) the shares follow the texture: the note chroma reads a
    single melodic line best and chords over a bass worse, so the CQT chroma's share passes to the
    note chroma as the pitch classes starting together thin from those of a triad to one
    (:func:`melody_share` of :func:`~mirloop.backends.librosa.notes.onset_polyphony`; a solo
    melody is read by the note chroma alone, a chordal track with the fixed shares).
    Confidence is the best correlation times a saturating margin over the runner-up
    (:func:`~mirloop.backends.librosa.profiles.key_confidence`), times how far the chroma is
    from flat (:func:`~mirloop.backends.librosa.profiles.tonal_weight`, weighted as the scores),
    so noise and drums get low confidence. The window keys are the best-scoring sequence of keys that
    pays ``change_penalty`` (0.3) per key change (:func:`~mirloop.signal.key_path.key_path`;
    windows weighted by how tonal they are), not each window's own best key: a window's evidence
    is thin and flickers between neighbouring keys, a piece modulates rarely.
    """

    name: ClassVar[str] = "librosa"
    stage: ClassVar[str] = "key"
    summary: ClassVar[str] = "Key and mode per window and track from CQT and note chroma and key profiles"
    options: ClassVar[dict[str, Option]] = {
        "profile": Option(
            "edma",
            str,
            "key profile: edma (default; right on cadences and on modal minor progressions), "
            "albrecht (best on tonal melodies, misses modal minor progressions), albrecht+krumhansl "
            "(the mean of both correlations), temperley or krumhansl",
            choices=tuple(PROFILES) + tuple(BLENDS),
        ),
        "notes_weight": Option(
            0.3,
            float,
            "weight in [0, 1] of the note chroma (an approximate transcription, harmonics taken out) "
            "read with notes_profile, against the CQT chroma read with profile (0: the CQT chroma "
            "alone, with melody_gate=false; 1: the note chroma alone, best on solo melodies, worse on "
            "chords over a bass); with weighting=confidence each share is also scaled by its "
            "reading's key confidence; melody_gate raises it on melodic lines",
        ),
        "attack_weight": Option(
            0.0,
            float,
            "weight in [0, 1] of the attack chroma (each note counted when it starts, read with "
            "notes_profile; 0.2 reads solo melodies better, chords over a bass slightly worse); the "
            "CQT chroma has what notes_weight and attack_weight leave (the two sum to at most 1)",
        ),
        "weighting": Option(
            "fixed",
            str,
            "how the two chromas' key scores are mixed: fixed (default; the notes_weight shares as "
            "they are) or confidence (each share times the confidence of that reading's best key; "
            "with notes_weight=0.5, better on solo lines, slightly worse on chords over a bass)",
            choices=("confidence", "fixed"),
        ),
        "notes_profile": Option(
            "albrecht+krumhansl",
            str,
            "key profile the note chroma is read with (choices as for profile)",
            choices=tuple(PROFILES) + tuple(BLENDS),
        ),
        "melody_gate": Option(
            True,
            bool,
            "give the CQT chroma's share to the note chroma as the texture thins to one melodic line "
            "(one pitch class starting at a time: the note chroma alone; triads over a bass, drums: "
            "the fixed shares); false: the fixed shares for every track",
        ),
        "tuning": Option(
            True, bool, "estimate the track's tuning offset and correct the chroma before the profile match"
        ),
        "harmonics": Option(
            1,
            int,
            "harmonics each profile pitch class sounds in the templates (Gómez 2006; 1: none, 4: essentia's)",
        ),
        "change_penalty": Option(
            0.3,
            float,
            "price, in correlation, of each key change along the window keys: the sequence of keys "
            "with the best total score wins, so a modulation must hold over several windows to be "
            "taken (0: each window keeps its own best key)",
        ),
    }

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        if not 0.0 <= self.opts["notes_weight"] <= 1.0:
            raise OptionError(
                f"key backend 'librosa': notes_weight must be in [0, 1], got {self.opts['notes_weight']}"
            )
        if not 0.0 <= self.opts["attack_weight"] <= 1.0:
            raise OptionError(
                f"key backend 'librosa': attack_weight must be in [0, 1], got {self.opts['attack_weight']}"
            )
        if self.opts["notes_weight"] + self.opts["attack_weight"] > 1.0 + 1e-9:
            raise OptionError(
                f"key backend 'librosa': notes_weight ({self.opts['notes_weight']}) and attack_weight "
                f"({self.opts['attack_weight']}) sum to more than 1; lower one (e.g. attack_weight=0 "
                "with notes_weight=1 for the note chroma alone)"
            )
        if self.opts["change_penalty"] < 0:
            raise OptionError(
                f"key backend 'librosa': change_penalty must be at least 0, got {self.opts['change_penalty']}"
            )
        if self.opts["harmonics"] < 1:
            raise OptionError(
                f"key backend 'librosa': harmonics must be at least 1 (the fundamental alone), "
                f"got {self.opts['harmonics']}"
            )

    def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
        harmonics = self.opts["harmonics"]
        readings = []
        for frames, profile, prior in self._reading_frames(ctx):
            track_chroma = np.asarray(frames.mean(axis=1), dtype=np.float64)
            window_chroma = window_mean_std(frames, ctx.chroma_frame_rate, ctx.grid)[0]
            readings.append(
                Reading(
                    prior=prior,
                    track_scores=key_correlations(track_chroma, profile, harmonics),
                    window_scores=key_correlations(window_chroma, profile, harmonics),
                    track_tonal=float(tonal_weight(track_chroma)),
                    window_tonal=tonal_weight(window_chroma),
                )
            )
        by_confidence = self.opts["weighting"] == "confidence"
        track_shares = reading_shares(
            [r.prior for r in readings], [r.track_scores for r in readings], by_confidence=by_confidence
        )
        window_shares = reading_shares(
            [r.prior for r in readings], [r.window_scores for r in readings], by_confidence=by_confidence
        )
        track_scores = sum(s * r.track_scores for s, r in zip(track_shares, readings))
        window_scores = sum(s[:, None] * r.window_scores for s, r in zip(window_shares, readings))
        track_tonal = sum(s * r.track_tonal for s, r in zip(track_shares, readings))
        window_tonal = sum(s * r.window_tonal for s, r in zip(window_shares, readings))
        penalty = self.opts["change_penalty"]
        # along a path, a window without tonal content (drums, noise, silence) leaves it where it
        # is; without one (penalty 0) each window keeps its own best key, as before the path
        path = key_path(window_scores * window_tonal[:, None] if penalty > 0 else window_scores, penalty)
        return KeyEstimate(
            key=KEYS[int(np.argmax(track_scores))],
            confidence=float(key_confidence(track_scores) * track_tonal),
            window_keys=tuple(KEYS[int(i)] for i in path),
            window_confidence=key_confidence(window_scores, path) * window_tonal,
        )

    def _reading_frames(self, ctx: TrackContext) -> list[tuple[np.ndarray, str, float]]:
        """``(frames, profile, prior)`` of each reading with a share: the CQT chroma (tuning-corrected
        unless ``tuning`` is off) and the note chroma (:mod:`~mirloop.backends.librosa.notes`),
        each frame scaled to max 1, and the attack chroma as it is (a frame weighs as much as the
        notes starting in it); the notes are transcribed once for all of them. With
        ``melody_gate`` the CQT chroma's share moves to the note chroma by the track's
        :func:`melody_share`."""
        weight, attack = self.opts["notes_weight"], self.opts["attack_weight"]
        cqt_share = 1.0 - weight - attack
        gate = self.opts["melody_gate"] and cqt_share > 1e-12
        notes = attacks = None
        if weight > 0 or attack > 0 or gate:
            tuning = ctx.tuning if self.opts["tuning"] else 0.0
            lag = ATTACK_LAG if attack > 0 or gate else 0
            notes, attacks = note_chromas(ctx.constant_q.db, tuning, attack_lag=lag)
            if gate:
                moved = cqt_share * melody_share(onset_polyphony(attacks))
                cqt_share, weight = cqt_share - moved, weight + moved
        out = []
        if cqt_share > 1e-12:
            cqt = ctx.tuned_chroma if self.opts["tuning"] else ctx.chroma
            out.append((cqt, self.opts["profile"], cqt_share))
        if notes is not None and weight > 0:
            out.append((frames_scaled_to_max(notes), self.opts["notes_profile"], weight))
        if attacks is not None and attack > 0:
            out.append((attacks, self.opts["notes_profile"], attack))
        return out
