"""Key profiles and chroma-to-key correlation (Krumhansl–Schmuckler key finding).

Each profile is a pair (major, minor) of 12 weights starting at the tonic:

``krumhansl``
    Krumhansl & Kessler (1982) probe-tone ratings.
``temperley``
    Temperley (1999), "What's key for key?" — flatter weights, stronger leading tone.
``edma``
    Faraldo et al. (2016), profiles derived from electronic dance music (Essentia ``edma``).
``albrecht``
    Albrecht & Shanahan (2013), "The use of large corpora to train a new type of key-finding
    algorithm", Music Perception 31(1): pitch-class distributions of the opening and closing
    passages of 490 common-practice pieces (their appendix; major and minor).

A *blend* (:data:`BLENDS`, named ``a+b``) scores each key by the mean of its correlations
with the blended profiles.
"""

from __future__ import annotations

import numpy as np

from mirloop.errors import InvalidValueError
from mirloop.types.estimates import MODES, PITCH_CLASSES, Key

PROFILES: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "krumhansl": (
        (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
        (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17),
    ),
    "temperley": (
        (5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0),
        (5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0),
    ),
    "edma": (
        (
            0.16519551,
            0.04749026,
            0.08293076,
            0.06687112,
            0.09994645,
            0.09274123,
            0.05294487,
            0.13159476,
            0.05218986,
            0.07443653,
            0.06940723,
            0.0642515,
        ),
        (
            0.17235348,
            0.05336489,
            0.0761009,
            0.10043649,
            0.05621498,
            0.08527853,
            0.0497915,
            0.13451001,
            0.07458916,
            0.05003023,
            0.09187879,
            0.05545106,
        ),
    ),
    "albrecht": (
        (0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081),
        (0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052),
    ),
}

#: Profiles scored together: a key's correlation is the mean of its correlations with each.
#: ``albrecht+krumhansl``: Albrecht & Shanahan's corpus distributions read tonal melodies best
#: but hear modal minor progressions (i–VI–VII, i–IV–VII) as the relative major; Krumhansl &
#: Kessler's ratings weight the tonic triad and keep those minor.
BLENDS: dict[str, tuple[str, ...]] = {"albrecht+krumhansl": ("albrecht", "krumhansl")}

#: The 24 keys in score order: C major … B major, then C minor … B minor.
KEYS: tuple[Key, ...] = tuple(Key(tonic, mode) for mode in MODES for tonic in PITCH_CLASSES)


#: Decay of each further harmonic's weight in a profile that sounds its harmonics (Gómez 2006).
HARMONIC_SLOPE = 0.6


def key_templates(profile: str, harmonics: int = 1) -> np.ndarray:
    """``(24, 12)`` z-scored templates, one per key of :data:`KEYS`.

    With ``harmonics`` > 1, every pitch class of the profile also sounds its harmonics 2 …
    ``harmonics`` at weights ``0.6 ** (h - 1)`` (Gómez 2006, *Tonal description of music audio
    signals*, §3.3; essentia's ``Key`` with ``numHarmonics=4, slope=0.6``): the chroma of a real
    instrument holds its harmonics too (the third harmonic, a twelfth above, adds to the fifth),
    so the template should.
    """
    if harmonics < 1:
        raise InvalidValueError(f"harmonics must be at least 1 (the fundamental), got {harmonics}")
    rows = []
    for weights in PROFILES[profile]:
        base = np.asarray(weights, dtype=np.float64)
        base = base / base.sum()
        sounded = np.zeros(12)
        for h in range(1, harmonics + 1):
            sounded += HARMONIC_SLOPE ** (h - 1) * np.roll(base, round(12 * np.log2(h)) % 12)
        rows += [np.roll(sounded, tonic) for tonic in range(12)]
    templates = np.asarray(rows)
    templates -= templates.mean(axis=1, keepdims=True)
    return templates / templates.std(axis=1, keepdims=True)


def key_correlations(chroma: np.ndarray, profile: str, harmonics: int = 1) -> np.ndarray:
    """Pearson correlation of chroma vectors with the 24 key templates of ``profile`` (a name of
    :data:`PROFILES`, or of :data:`BLENDS`: the mean of its profiles' correlations).

    ``chroma`` is ``(12,)`` or ``(n, 12)``; returns ``(24,)`` or ``(n, 24)``. A flat (e.g.
    silent) chroma vector correlates 0 with every key.
    """
    x = np.atleast_2d(np.asarray(chroma, dtype=np.float64))
    x = x - x.mean(axis=1, keepdims=True)
    std = x.std(axis=1, keepdims=True)
    z = np.where(std > 1e-9, x / np.maximum(std, 1e-9), 0.0)
    names = BLENDS.get(profile, (profile,))
    templates = np.mean([key_templates(name, harmonics) for name in names], axis=0)
    scores = z @ templates.T / 12.0
    return scores[0] if np.ndim(chroma) == 1 else scores


def mode_strength(scores: np.ndarray) -> np.ndarray:
    """Major-versus-minor modality from key correlations (:func:`key_correlations` output):
    the best major key's correlation minus the best minor key's, in [-2, 2] (> 0 leans major).
    Invariant to transposition, so it can be taken on chroma in any bin order."""
    table = np.atleast_2d(scores)
    mode = table[:, :12].max(axis=1) - table[:, 12:].max(axis=1)
    return mode[0] if np.ndim(scores) == 1 else mode


def key_confidence(scores: np.ndarray, chosen: np.ndarray | None = None) -> np.ndarray:
    """Confidence in [0, 1] of the best key: its correlation times a saturating margin.

    ``clip(r1, 0, 1) * tanh((r1 - r2) / 0.05)`` with ``r1``, ``r2`` the best and second-best
    correlations, so a clear winner with a 0.1 margin scores near ``r1``. With ``chosen`` (one
    key index per row), the confidence of that key instead: its correlation and its margin over
    the best other key (0 where another key correlates better).
    """
    rows = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    if chosen is None:
        ordered = np.sort(rows, axis=1)
        best, second = ordered[:, -1], ordered[:, -2]
    else:
        index = np.atleast_1d(np.asarray(chosen, dtype=np.int64))
        best = rows[np.arange(len(rows)), index]
        others = rows.copy()
        others[np.arange(len(rows)), index] = -np.inf
        second = others.max(axis=1)
    confidence = np.clip(best, 0.0, 1.0) * np.tanh(np.maximum(best - second, 0.0) / 0.05)
    return confidence[0] if np.ndim(scores) == 1 else confidence


def tonal_weight(chroma: np.ndarray, full_at: float = 0.3) -> np.ndarray:
    """How far chroma vectors are from flat, in [0, 1]: coefficient of variation / ``full_at``, capped.

    Noise and unpitched percussion have nearly flat chroma, whose (scale-free) profile
    correlation means nothing; key confidences are multiplied by this weight.
    """
    x = np.atleast_2d(np.asarray(chroma, dtype=np.float64))
    mean = x.mean(axis=1)
    cv = np.where(mean > 1e-9, x.std(axis=1) / np.maximum(mean, 1e-9), 0.0)
    weight = np.clip(cv / full_at, 0.0, 1.0)
    return weight[0] if np.ndim(chroma) == 1 else weight
