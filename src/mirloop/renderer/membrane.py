"""Struck membranes: the taiko ensemble of cinematic percussion (drum kit ``taiko``).

A drum head is a circular membrane: its modes sit at the zeros of the Bessel functions
(:data:`MODE_RATIOS`, inharmonic, 1 : 1.59 : 2.14 : 2.30 …), the higher ones dying faster. A hard
strike stretches the head, so the pitch starts a little high and falls onto its rest value
(tension modulation); the mallet (a taiko's wooden *bachi*) adds a short, dull thump of noise.
:func:`membrane` sums these; :func:`taiko_hit` maps the General MIDI drum notes onto an ensemble:
kicks to the big ``ō-daiko``, floor, low and mid toms to three ``nagadō-daiko`` (low, middle,
high), the high congas to the short barrel ``okedo``, high toms, snares, claps and the low conga to
the high, tight ``shime-daiko`` (the ensemble's timekeeper) with the rim's wooden ``ka`` click,
rims and cowbells to the ``ka`` alone; cymbals and shakers stay as they are in the drum machine
(:func:`mirloop.renderer.voices.drum_hit`), hi-hats are left out (a taiko ensemble has none: over
them, a percussion ensemble was heard as electronic music).

Every drum the mood's re-voicing of a drum-only style moves a hit to
(:data:`mirloop.renderer.drums.DARK_VOICES`) is another drum here: when toms shared a drum and
the dark moods' shakers fell onto the long-ringing low nagadō, the dark moods lost their pulse
(tempo read at random) and the moods of a percussion ensemble could hardly be told apart.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt

TWO_PI = 2 * np.pi
#: Frequency ratios of the circular membrane's first modes (Bessel zeros over the first).
MODE_RATIOS = (1.0, 1.594, 2.136, 2.296, 2.653, 2.918, 3.156, 3.501)
#: Relative amplitude of each mode for a strike near the centre (the fundamental strongest).
MODE_LEVELS = (1.0, 0.55, 0.4, 0.3, 0.22, 0.16, 0.12, 0.08)

#: Taiko drum → (fundamental Hz, decay of the fundamental s, pitch rise at the strike, mallet level).
TAIKO: dict[str, tuple[float, float, float, float]] = {
    "odaiko": (52.0, 0.9, 0.12, 0.5),
    "nagado_low": (78.0, 0.55, 0.09, 0.6),
    "nagado": (104.0, 0.45, 0.08, 0.7),
    "nagado_high": (132.0, 0.35, 0.07, 0.8),
    "okedo": (165.0, 0.14, 0.06, 0.9),
    "shime": (260.0, 0.12, 0.05, 1.0),
}
#: General MIDI drum notes → taiko drum; rims and cowbells are the bachi's ``ka`` on a rim (cymbals and
#: shakers: the drum machine's sound; hi-hats none). The low conga, where dark moods move the shakers
#: and hats, is the shime that keeps the ensemble's time.
TAIKO_MAP = {
    35: "odaiko",
    36: "odaiko",
    41: "nagado_low",
    43: "nagado_low",
    45: "nagado",
    47: "nagado_high",
    48: "nagado_high",
    64: "shime",
    62: "okedo",
    63: "okedo",
    50: "shime",
    38: "shime",
    40: "shime",
    39: "shime",
    37: "ka",
    56: "ka",
    75: "ka",
    76: "ka",
    77: "ka",
}
#: GM hi-hat notes: silent on the taiko kit.
HATS = (42, 44, 46)
#: Level and pan (0 left … 1 right) of each drum in the ensemble (about half a drum machine's: louder,
#: the drums mask the cue's choir and are heard as metal and punk).
TAIKO_LEVELS = {"odaiko": 0.55, "nagado_low": 0.47, "nagado": 0.41, "nagado_high": 0.37, "okedo": 0.32,
                "shime": 0.28, "ka": 0.2}
TAIKO_PANS = {"odaiko": 0.5, "nagado_low": 0.62, "nagado": 0.38, "nagado_high": 0.55, "okedo": 0.25,
              "shime": 0.7, "ka": 0.3}


def membrane(
    sr: int,
    rng: np.random.Generator,
    *,
    hz: float,
    tau: float,
    rise: float = 0.1,
    mallet: float = 0.6,
) -> np.ndarray:
    """A struck membrane (mono): the :data:`MODE_RATIOS` modes of fundamental ``hz`` (the
    fundamental decaying with time constant ``tau`` s, mode ``k`` ``k``\\ ^0.8 times faster), the pitch
    starting ``rise`` above its rest value and falling within 40 ms, and a ``mallet`` thump of
    low-passed noise."""
    n = int(tau * 5 * sr)
    t = np.arange(n) / sr
    glide = 1.0 + rise * np.exp(-t / 0.04)
    out = np.zeros(n)
    for k, (ratio, level) in enumerate(zip(MODE_RATIOS, MODE_LEVELS, strict=True)):
        f = hz * ratio
        if f >= sr / 2:
            break
        phase = TWO_PI * np.cumsum(f * glide) / sr + TWO_PI * float(rng.random())
        out += level * np.sin(phase) * np.exp(-t / (tau / (k + 1) ** 0.8))
    thump = rng.standard_normal(n) * np.exp(-t / 0.006)
    sos = butter(2, min(hz * 14, 0.45 * sr), btype="lowpass", fs=sr, output="sos")
    out += mallet * 3.0 * sosfilt(sos, thump)
    attack = np.minimum(t / 0.001, 1.0)
    return np.tanh(1.2 * out * attack) / np.tanh(1.2)


def ka(sr: int, rng: np.random.Generator) -> np.ndarray:
    """The wooden click of a bachi on the drum's rim (mono)."""
    n = int(0.08 * sr)
    t = np.arange(n) / sr
    sos = butter(2, [900.0, 3500.0], btype="bandpass", fs=sr, output="sos")
    wood = np.sin(TWO_PI * 1150.0 * t) * 0.5 + sosfilt(sos, rng.standard_normal(n)) * 0.8
    return wood * np.exp(-t / 0.012)


def taiko_drum(name: str, sr: int, rng: np.random.Generator) -> np.ndarray:
    """One stroke of the :data:`TAIKO` drum ``name`` (mono; the shime's carries the rim's ka), or
    the ``ka`` alone."""
    if name == "ka":
        return ka(sr, rng)
    hz, tau, rise, mallet = TAIKO[name]
    hit = membrane(sr, rng, hz=hz, tau=tau, rise=rise, mallet=mallet)
    if name == "shime":
        click = ka(sr, rng)
        hit[: click.size] += 0.6 * click
    return hit


def taiko_hit(note: int, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, str] | None:
    """The taiko ensemble's stroke for General MIDI drum ``note`` (mono) and the drum's name;
    ``None`` if :data:`TAIKO_MAP` does not map the note."""
    name = TAIKO_MAP.get(note)
    if name is None:
        return None
    return taiko_drum(name, sr, rng), name
