"""Instruments synthesised in NumPy where General MIDI patches are weak: analogue-style synths
and drum machines.

Every voice is a pure function of its note (pitch, velocity, length), the sample rate and, for
noise, a seed; it returns a stereo ``(2, n)`` float64 array that includes the note's release.
:class:`~mirloop.renderer.voice_synth.VoiceSynth` plays them block by block.

Pitched voices (:data:`PITCHED`):

- ``supersaw``: seven detuned band-limited saws per side (a wide stereo pair), a low-pass that
  opens on the attack and closes over the note — chords and stabs;
- ``pad``: the supersaw with a slow attack, a darker filter and a slow filter sweep;
- ``drone_pad``: the pad held steady, its filter following the note (ambient's drones);
- ``saw_lead`` / ``square_lead``: three detuned saws, or a square over a sub octave, with delayed
  vibrato;
- ``pluck``: a saw whose filter and level decay within a fraction of a second;
- ``acid_bass``: saw and square sub with a decaying filter envelope (a 303-like bass);
- ``sub_bass``: a lightly saturated sine;
- ``bass_808``: a sine dropping from a fifth above onto its pitch with a long boom, saturated so
  its harmonics carry on small speakers.

Drum machines (:data:`KITS`, notes of the General MIDI drum map): ``909`` (a tight, punchy house
kick, noise snare and clap, metallic hats), ``808`` (a long, low kick and softer cymbals) and
``taiko`` (a taiko ensemble of :mod:`mirloop.renderer.membrane`, the 808's cymbals, no hi-hats).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.signal import butter, sosfilt

from mirloop.renderer.membrane import HATS, TAIKO_LEVELS, TAIKO_PANS, taiko_hit

TWO_PI = 2 * np.pi
#: Overall output level of a voice at full velocity (peak, before the channel level).
VOICE_LEVEL = 0.32


def hz(pitch: float) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def _subtract_polyblep(out: np.ndarray, phase: np.ndarray, dt: float) -> None:
    """Band-limit the steps of a naive saw ``out`` at phase 0 (Välimäki's polynomial BLEP), in
    place: only the samples within ``dt`` of a step change (the late side where both sides overlap,
    above a quarter of the rate)."""
    low = np.flatnonzero((phase < dt) & (phase <= 1 - dt) if dt > 0.5 else phase < dt)
    t = phase[low] / dt
    out[low] -= t + t - t * t - 1
    high = np.flatnonzero(phase > 1 - dt)
    t = (phase[high] - 1) / dt
    out[high] -= t * t + t + t + 1


def saw(freq: np.ndarray | float, n: int, sr: int, phase0: float = 0.0) -> np.ndarray:
    """A band-limited saw in [-1, 1] (``freq`` constant or per sample, positive; ``phase0`` ≥ 0).

    Computed in place, a few passes over one array: the synth voices call it for every note and
    every detuned copy, and it was a third of a genre-production render's time."""
    if np.ndim(freq) == 0:
        dt = float(freq) / sr
        phase = np.arange(n, dtype=np.float64)
        phase *= dt
    else:
        step = np.asarray(freq, dtype=np.float64) / sr
        dt = float(np.mean(step))
        phase = np.zeros(max(len(step), 1))
        np.cumsum(step[:-1], out=phase[1:])
    phase += phase0
    phase -= np.floor(phase)  # the fractional part (exact for phases ≥ 0, as ``% 1.0``)
    out = phase * 2
    out -= 1
    _subtract_polyblep(out, phase, dt)
    return out


def square(freq: np.ndarray | float, n: int, sr: int, phase0: float = 0.0) -> np.ndarray:
    """A band-limited square in [-1, 1]: a saw minus the saw half a cycle later."""
    return 0.5 * (saw(freq, n, sr, phase0) - saw(freq, n, sr, phase0 + 0.5))


def adsr(
    n: int, sr: int, gate: int, attack: float, decay: float, sustain: float, release: float
) -> np.ndarray:
    """An envelope of ``n`` samples: held ``gate`` samples, then released (exponential segments)."""
    t = np.arange(n) / sr
    a = max(attack, 1e-4)
    env = np.where(t < a, t / a, sustain + (1 - sustain) * np.exp(-(t - a) / max(decay, 1e-4)))
    if gate < n:
        held = env[max(gate - 1, 0)]
        after = np.arange(n - gate) / sr
        env[gate:] = held * np.exp(-after / max(release / 4.6, 1e-4))  # −40 dB after ``release``
    return env


def _lowpass(signal: np.ndarray, cutoff: float, sr: int, order: int = 2) -> np.ndarray:
    sos = butter(order, min(max(cutoff, 20.0), 0.45 * sr) / (sr / 2), output="sos")
    return np.asarray(sosfilt(sos, signal))


def _highpass(signal: np.ndarray, cutoff: float, sr: int, order: int = 2) -> np.ndarray:
    sos = butter(order, min(cutoff, 0.45 * sr) / (sr / 2), btype="high", output="sos")
    return np.asarray(sosfilt(sos, signal))


def _bandpass(signal: np.ndarray, low: float, high: float, sr: int) -> np.ndarray:
    sos = butter(2, [low / (sr / 2), min(high, 0.45 * sr) / (sr / 2)], btype="band", output="sos")
    return np.asarray(sosfilt(sos, signal))


def swept(signal: np.ndarray, low: float, high: float, sweep: np.ndarray, sr: int) -> np.ndarray:
    """A low-pass whose cut-off moves from ``low`` (``sweep`` 0) to ``high`` (``sweep`` 1): a crossfade
    of the signal through the two fixed filters (cheap, and smooth for a filter envelope)."""
    dark = _lowpass(signal, low, sr)
    bright = _lowpass(signal, high, sr)
    return dark + np.clip(sweep, 0.0, 1.0) * (bright - dark)


def _stereo(mono: np.ndarray) -> np.ndarray:
    return np.vstack([mono, mono])


def _gain(velocity: int) -> float:
    return VOICE_LEVEL * (velocity / 127.0) ** 1.3


def velocity_gain(voice: str, velocity: int) -> float:
    """How much softer a note of ``velocity`` sounds than one of 127 on ``voice`` (every voice's
    samples scale with this gain and nothing else, so a note is synthesised at 127 and scaled)."""
    return (velocity / 127.0) ** (1.2 if voice.startswith("kit:") else 1.3)


#: Detune (semitones) of the supersaw's seven saws, and their levels (the centre one loudest).
SUPERSAW_DETUNE = (-0.24, -0.15, -0.06, 0.0, 0.07, 0.16, 0.23)


def _supersaw_side(f: float, n: int, sr: int, rng: np.random.Generator, spread: float) -> np.ndarray:
    out = np.zeros(n)
    for detune in SUPERSAW_DETUNE:
        out += saw(f * 2 ** (spread * detune / 12), n, sr, float(rng.random()))
    return out / np.sqrt(len(SUPERSAW_DETUNE))


def supersaw(
    pitch: int,
    velocity: int,
    length: float,
    sr: int,
    rng: np.random.Generator,
    *,
    attack: float = 0.008,
    release: float = 0.35,
    low: float = 700.0,
    high: float = 5200.0,
    sweep_time: float = 0.45,
) -> np.ndarray:
    n, gate = int((length + release) * sr), max(1, int(length * sr))
    f = hz(pitch)
    env = adsr(n, sr, gate, attack, 0.6, 0.7, release)
    t = np.arange(n) / sr
    sweep = np.exp(-t / sweep_time) * 0.8 + 0.2
    sides = [swept(_supersaw_side(f, n, sr, rng, 1.0 + 0.15 * side), low, high, sweep, sr) for side in (0, 1)]
    return np.vstack(sides) * env * _gain(velocity) * 0.55


#: The note (C3) above which a tracking pad's filter follows the pitch.
PAD_TRACKING_FROM = 48


def pad(
    pitch: int,
    velocity: int,
    length: float,
    sr: int,
    rng: np.random.Generator,
    *,
    tracking: float = 0.0,
    drift: float = 0.35,
) -> np.ndarray:
    """A slow, evolving supersaw pad: long attack and release, a dark filter slowly opening and closing
    (by ``drift``, at a random phase per note). ``tracking`` is the filter's keyboard tracking above
    C3: at 1 its cut-offs rise with the note's frequency, so a chord keeps its balance in any register."""
    release = 1.6
    n, gate = int((length + release) * sr), max(1, int(length * sr))
    f = hz(pitch)
    env = adsr(n, sr, gate, min(1.2, 0.4 * length + 0.05), 1.0, 0.85, release)
    t = np.arange(n) / sr
    sweep = 0.45 + drift * np.sin(TWO_PI * 0.15 * t + TWO_PI * float(rng.random()))
    track = max(1.0, f / hz(PAD_TRACKING_FROM)) ** tracking
    sides = [
        swept(_supersaw_side(f, n, sr, rng, 0.7 + 0.2 * side), 350.0 * track, 2600.0 * track, sweep, sr)
        for side in (0, 1)
    ]
    return np.vstack(sides) * env * _gain(velocity) * 0.5


def drone_pad(pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """The pad held steady (no filter sweep), its filter following the note: a drone whose chords keep
    their tones' balance from window to window and whose register is heard in its brightness."""
    return pad(pitch, velocity, length, sr, rng, tracking=1.0, drift=0.0)


def lead(
    pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator, *, shape: str = "saw"
) -> np.ndarray:
    release = 0.12
    n, gate = int((length + release) * sr), max(1, int(length * sr))
    t = np.arange(n) / sr
    vibrato = 2 ** (0.18 * np.sin(TWO_PI * 5.5 * t) * np.clip((t - 0.25) / 0.3, 0, 1) / 12)
    f = hz(pitch) * vibrato
    if shape == "square":
        tone = square(f, n, sr, float(rng.random())) + 0.5 * square(f / 2, n, sr, float(rng.random()))
    else:
        tone = np.zeros(n)
        for detune in (-0.1, 0.0, 0.1):
            tone += saw(f * 2 ** (detune / 12), n, sr, float(rng.random())) / 1.7
    env = adsr(n, sr, gate, 0.006, 0.3, 0.8, release)
    sweep = np.exp(-t / 0.3) * 0.6 + 0.4
    return _stereo(swept(np.asarray(tone), 1200.0, 7000.0, sweep, sr) * env) * _gain(velocity) * 0.6


def pluck(pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    release = 0.25
    n, gate = int((min(length, 0.6) + release) * sr), max(1, int(min(length, 0.6) * sr))
    t = np.arange(n) / sr
    tone = saw(hz(pitch), n, sr, float(rng.random())) + 0.6 * saw(
        hz(pitch) * 1.005, n, sr, float(rng.random())
    )
    env = adsr(n, sr, gate, 0.002, 0.18, 0.0, release)
    return _stereo(swept(tone, 500.0, 6500.0, np.exp(-t / 0.07), sr) * env) * _gain(velocity) * 0.7


def acid_bass(pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    release = 0.06
    n, gate = int((length + release) * sr), max(1, int(length * sr))
    t = np.arange(n) / sr
    f = hz(pitch)
    tone = saw(f, n, sr, float(rng.random())) + 0.7 * square(f / 2, n, sr, float(rng.random()))
    env = adsr(n, sr, gate, 0.003, 0.25, 0.6, release)
    shaped = np.tanh(2.0 * swept(tone, 180.0, 2400.0, np.exp(-t / 0.12), sr))
    return _stereo(shaped * env) * _gain(velocity) * 0.8


def sub_bass(pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    release = 0.08
    n, gate = int((length + release) * sr), max(1, int(length * sr))
    t = np.arange(n) / sr
    tone = np.tanh(1.8 * np.sin(TWO_PI * hz(pitch) * t))
    return _stereo(tone * adsr(n, sr, gate, 0.004, 0.4, 0.8, release)) * _gain(velocity) * 0.9


def bass_808(pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """An 808 bass: a sine gliding down a fifth onto its pitch, a long boom, saturated."""
    boom = max(length, 0.6)
    release = 0.1
    n, gate = int((boom + release) * sr), max(1, int(boom * sr))
    t = np.arange(n) / sr
    f = hz(pitch - 12 if pitch >= 48 else pitch) * (1 + 0.5 * np.exp(-t / 0.03))
    phase = TWO_PI * np.cumsum(f) / sr
    env = adsr(n, sr, gate, 0.002, 0.9, 0.35, release)
    return _stereo(np.tanh(2.5 * np.sin(phase)) * env) * _gain(velocity)


Voice = Callable[[int, int, float, int, np.random.Generator], np.ndarray]

PITCHED: dict[str, Voice] = {
    "supersaw": supersaw,
    "pad": pad,
    "drone_pad": drone_pad,
    "saw_lead": lead,
    "square_lead": lambda p, v, length, sr, rng: lead(p, v, length, sr, rng, shape="square"),
    "pluck": pluck,
    "acid_bass": acid_bass,
    "sub_bass": sub_bass,
    "bass_808": bass_808,
}


# --- drum machines -------------------------------------------------------------------------------

#: The six square oscillators (Hz) of the TR-808's cymbal and hi-hat circuit.
METAL_HZ = (205.3, 304.4, 369.6, 522.7, 540.0, 800.0)


def _noise(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(n)


def _decay(n: int, sr: int, tau: float) -> np.ndarray:
    return np.exp(-np.arange(n) / sr / tau)


def kick(
    sr: int,
    rng: np.random.Generator,
    *,
    start_hz: float,
    end_hz: float,
    sweep: float,
    boom: float,
    click: float,
) -> np.ndarray:
    n = int(boom * 5 * sr)
    t = np.arange(n) / sr
    f = end_hz + (start_hz - end_hz) * np.exp(-t / sweep)
    body = np.sin(TWO_PI * np.cumsum(f) / sr) * np.exp(-t / boom)
    tick = _highpass(_noise(n, rng), 1500.0, sr) * np.exp(-t / 0.003) * click
    return np.tanh(1.6 * (body + tick))


def _metal(n: int, sr: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    return sum(square(f * scale, n, sr, float(rng.random())) for f in METAL_HZ)  # type: ignore[return-value]


def hat(sr: int, rng: np.random.Generator, *, tau: float) -> np.ndarray:
    n = int(tau * 6 * sr)
    tone = _metal(n, sr, rng, 1.6) * 0.25 + 0.5 * _noise(n, rng)
    return _highpass(_bandpass(tone, 6000.0, 15000.0, sr), 7000.0, sr) * _decay(n, sr, tau) * 1.6


def snare(sr: int, rng: np.random.Generator, *, tone_hz: float = 185.0, tau: float = 0.16) -> np.ndarray:
    n = int(tau * 5 * sr)
    t = np.arange(n) / sr
    body = (np.sin(TWO_PI * tone_hz * t) + 0.6 * np.sin(TWO_PI * tone_hz * 1.78 * t)) * np.exp(-t / 0.05)
    rattle = _bandpass(_noise(n, rng), 1200.0, 9000.0, sr) * np.exp(-t / tau)
    return np.tanh(0.7 * body + 1.1 * rattle)


def clap(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.4 * sr)
    t = np.arange(n) / sr
    bursts = sum(np.where(t >= d, np.exp(-np.maximum(t - d, 0) / 0.007), 0.0) for d in (0.0, 0.011, 0.022))
    env = bursts + np.where(t >= 0.032, np.exp(-np.maximum(t - 0.032, 0) / 0.12), 0.0)
    return _bandpass(_noise(n, rng), 900.0, 5000.0, sr) * env * 1.3


def tom(sr: int, rng: np.random.Generator, *, hz_: float) -> np.ndarray:
    return kick(sr, rng, start_hz=hz_ * 1.6, end_hz=hz_, sweep=0.05, boom=0.18, click=0.1) * 0.8


def cymbal(sr: int, rng: np.random.Generator, *, tau: float) -> np.ndarray:
    n = int(tau * 4 * sr)
    tone = _metal(n, sr, rng, 2.3) * 0.2 + _noise(n, rng)
    return _highpass(tone, 4500.0, sr) * _decay(n, sr, tau) * 0.7


def rim(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.06 * sr)
    t = np.arange(n) / sr
    return (np.sin(TWO_PI * 1700 * t) * 0.6 + _highpass(_noise(n, rng), 3000.0, sr) * 0.4) * np.exp(
        -t / 0.008
    )


def shaker(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.12 * sr)
    t = np.arange(n) / sr
    env = np.minimum(t / 0.01, 1.0) * np.exp(-t / 0.03)
    return _highpass(_noise(n, rng), 5000.0, sr) * env * 0.8


def cowbell(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.3 * sr)
    tone = square(540.0, n, sr) + square(800.0, n, sr)
    return _bandpass(tone, 500.0, 3000.0, sr) * _decay(n, sr, 0.06) * 0.6


#: Drum-machine settings: the kick's pitch sweep (start and end Hz, sweep time s), its boom (s)
#: and click level, and the hi-hat decays (closed, open, s).
KITS: dict[str, dict[str, float]] = {
    "909": {
        "start_hz": 230.0,
        "end_hz": 52.0,
        "sweep": 0.03,
        "boom": 0.16,
        "click": 0.6,
        "closed": 0.035,
        "open": 0.22,
        "snare_tau": 0.14,
    },
    "808": {
        "start_hz": 140.0,
        "end_hz": 46.0,
        "sweep": 0.05,
        "boom": 0.45,
        "click": 0.25,
        "closed": 0.03,
        "open": 0.3,
        "snare_tau": 0.18,
    },
}
#: General MIDI drum notes → the drum machine's instrument.
DRUM_MAP = {
    35: "kick",
    36: "kick",
    37: "rim",
    38: "snare",
    40: "snare",
    39: "clap",
    42: "closed",
    44: "closed",
    46: "open",
    49: "crash",
    57: "crash",
    51: "ride",
    59: "ride",
    41: "tom_low",
    43: "tom_low",
    45: "tom_low",
    47: "tom_mid",
    48: "tom_mid",
    50: "tom_high",
    54: "shaker",
    69: "shaker",
    70: "shaker",
    56: "cowbell",
    64: "tom_low",
    63: "tom_mid",
    62: "tom_mid",
    75: "rim",
    76: "rim",
    77: "rim",
}
#: Level of each drum instrument (the kick and snare lead the mix, as on a dance record).
DRUM_LEVELS = {
    "kick": 1.0,
    "snare": 0.75,
    "clap": 0.75,
    "closed": 0.33,
    "open": 0.35,
    "crash": 0.35,
    "ride": 0.25,
    "rim": 0.45,
    "shaker": 0.3,
    "cowbell": 0.3,
    "tom_low": 0.6,
    "tom_mid": 0.55,
    "tom_high": 0.5,
}
#: Pan of each drum instrument in [0, 1].
DRUM_PANS = {
    "closed": 0.62,
    "open": 0.62,
    "ride": 0.35,
    "shaker": 0.7,
    "tom_high": 0.35,
    "tom_low": 0.65,
    "crash": 0.4,
    "cowbell": 0.4,
}


def drum_hit(kit: str, note: int, velocity: int, sr: int, rng: np.random.Generator) -> np.ndarray | None:
    """A drum machine's hit for a General MIDI drum ``note`` (``None``: the kit has no such sound),
    stereo ``(2, n)``."""
    if kit == "taiko":
        if note in HATS:
            return None
        struck = taiko_hit(note, sr, rng)
        if struck is not None:
            mono, drum = struck
            pan = TAIKO_PANS[drum]
            level = TAIKO_LEVELS[drum] * 1.2 * VOICE_LEVEL * velocity_gain("kit:", velocity)
            stereo = np.vstack([mono * np.cos(pan * np.pi / 2), mono * np.sin(pan * np.pi / 2)])
            return stereo * level * np.sqrt(2)
        kit = "808"  # cymbals, shakers, rims, cowbells
    name = DRUM_MAP.get(note)
    if name is None:
        return None
    k = KITS[kit]
    if name == "kick":
        mono = kick(
            sr,
            rng,
            start_hz=k["start_hz"],
            end_hz=k["end_hz"],
            sweep=k["sweep"],
            boom=k["boom"],
            click=k["click"],
        )
    elif name == "snare":
        mono = snare(sr, rng, tau=k["snare_tau"])
    elif name == "clap":
        mono = clap(sr, rng)
    elif name in ("closed", "open"):
        mono = hat(sr, rng, tau=k[name])
    elif name in ("crash", "ride"):
        mono = cymbal(sr, rng, tau=1.2 if name == "crash" else 0.4)
    elif name.startswith("tom"):
        mono = tom(sr, rng, hz_={"tom_low": 90.0, "tom_mid": 130.0, "tom_high": 180.0}[name])
    elif name == "rim":
        mono = rim(sr, rng)
    elif name == "shaker":
        mono = shaker(sr, rng)
    else:
        mono = cowbell(sr, rng)
    pan = DRUM_PANS.get(name, 0.5)
    level = DRUM_LEVELS[name] * 1.2 * VOICE_LEVEL * velocity_gain("kit:", velocity)
    return np.vstack([mono * np.cos(pan * np.pi / 2), mono * np.sin(pan * np.pi / 2)]) * level * np.sqrt(2)
