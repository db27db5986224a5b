"""A steel-string acoustic guitar by commuted waveguide synthesis (Karplus–Strong extended).

Each note is a plucked string: a pick's noise burst, filtered by the pick position (a comb at
1/:data:`PICK_POSITION` of the string) and already coloured by the guitar's body (commuted
synthesis: the body's impulse response — the air mode near 100 Hz and the top-plate modes above
it, :data:`BODY_MODES` — is convolved into the excitation instead of filtering the string's long
output), then circulated in the string loop: a delay of one period with a loss filter (frequency
dependent damping, so high partials die first, as on a real string) and a fractional-delay tap
that tunes it. The loop is one linear recursion, run by :func:`scipy.signal.lfilter`. When the note
ends the string is damped by the fretting hand within :data:`DAMP_TIME`.

Strumming (several strings struck a few milliseconds apart, down and up) is a matter of the
score: :func:`mirloop.renderer.genre_sound.strummed`.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

from mirloop.renderer.voices import VOICE_LEVEL, hz

#: Body modes of a dreadnought-size steel-string guitar: (Hz, decay s, level) — the Helmholtz air
#: mode, the top plate's main modes and the higher plate and back modes.
BODY_MODES: tuple[tuple[float, float, float], ...] = (
    (98.0, 0.060, 1.0),
    (204.0, 0.040, 0.8),
    (390.0, 0.025, 0.45),
    (560.0, 0.018, 0.3),
    (1050.0, 0.010, 0.2),
    (2400.0, 0.005, 0.12),
)
#: Length (s) of the body's impulse response.
BODY_TIME = 0.12
#: Where the pick strikes the string: 1/N of its length from the bridge.
PICK_POSITION = 7.0
#: Time (s) in which a fretting hand damps a ringing string at the note's end.
DAMP_TIME = 0.09
#: Side taps of the string's loss filter ``[LOSS, 1 - 2 LOSS, LOSS]`` (0: no damping of highs, .25: darkest).
LOSS = 0.09
#: Cut-off (Hz) of the pick's noise burst (a steel string under a flat pick).
PICK_HZ = 6000.0
#: Length (s) and level (of the string's peak) of the pick's scrape.
SCRAPE_TIME, SCRAPE = 0.03, 0.25
#: Decay (T60, s) of the string at 110 Hz; higher strings ring shorter (∝ f^-0.5).
T60_LOW = 5.0


def body_response(sr: int, rng: np.random.Generator) -> np.ndarray:
    """The body's impulse response: damped sinusoids at :data:`BODY_MODES` beside the direct impulse."""
    n = int(BODY_TIME * sr)
    t = np.arange(n) / sr
    response = np.zeros(n)
    response[0] = 1.0
    for freq, decay, level in BODY_MODES:
        phase = 2 * np.pi * float(rng.random()) * 0.1
        response += 0.08 * level * np.sin(2 * np.pi * freq * t + phase) * np.exp(-t / decay)
    return response


def steel_guitar(pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """One plucked steel string of MIDI ``pitch`` held ``length`` s (stereo ``(2, n)``, with its
    damping), at full level (``velocity`` is applied by the player as a gain, as for every voice)."""
    f = hz(pitch)
    period = sr / f
    # the loop: delay N + the loss filter (1 sample) + the fractional tap = one period
    n_delay = int(np.floor(period - 1.0))
    frac = period - 1.0 - n_delay
    loss = np.array([LOSS, 1 - 2 * LOSS, LOSS])
    taps = np.convolve(loss, [1 - frac, frac])  # delays n_delay .. n_delay + 3
    t60 = T60_LOW * np.sqrt(110.0 / f)
    taps = taps * 10 ** (-3.0 / (t60 * f))
    ring = length + DAMP_TIME
    n = int((ring + 0.02) * sr)
    # excitation: a short noise burst (the pick), low-passed by the picking strength, combed by
    # the pick position, through the body
    burst_n = max(int(period), 8)
    burst = rng.uniform(-1.0, 1.0, burst_n) * np.hanning(burst_n + 2)[1:-1]
    burst = sosfilt(butter(2, min(PICK_HZ, 0.45 * sr) / (sr / 2), output="sos"), burst)
    comb = max(1, round(period / PICK_POSITION))
    excitation = np.zeros(n)
    excitation[:burst_n] = burst
    excitation[comb : comb + burst_n] -= burst[: max(0, min(burst_n, n - comb))]
    # only the first ``burst_n + comb`` samples are not zero: convolve those (the body rings on)
    struck = min(n, comb + burst_n)
    body = np.convolve(excitation[:struck], body_response(sr, rng))[:n]
    excitation[: len(body)] = body
    denominator = np.zeros(n_delay + 4)
    denominator[0] = 1.0
    denominator[n_delay:] -= taps
    string = lfilter([1.0], denominator, excitation)
    # the fretting hand damps the string when the note ends
    gate = int(length * sr)
    envelope = np.ones(n)
    if gate < n:
        envelope[gate:] = np.exp(-np.arange(n - gate) / sr / (DAMP_TIME / 4.6))
    # the pick scraping over the wound string: a short burst of bright noise
    scrape_n = int(SCRAPE_TIME * sr)
    scrape = sosfilt(butter(2, 2500.0 / (sr / 2), btype="high", output="sos"), rng.standard_normal(scrape_n))
    scrape *= np.exp(-np.arange(scrape_n) / sr / (SCRAPE_TIME / 5))
    string[:scrape_n] += SCRAPE * float(np.max(np.abs(string))) * scrape
    mono = string * envelope
    # a slightly wider image: the body's sound a little later on the other side
    side = np.concatenate([np.zeros(int(0.0007 * sr)), mono])[:n]
    peak = float(np.max(np.abs(mono))) or 1.0
    return np.vstack([mono, 0.8 * mono + 0.2 * side]) * (VOICE_LEVEL * 0.9 / peak)
