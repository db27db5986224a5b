"""A synthetic room: stereo impulse responses of exponentially decaying noise, convolved.

The impulse response is seeded noise, split at :data:`CROSSOVER_HZ` into a low and a high band
that decay at their own rates (damping shortens the high band's decay), after a pre-delay; left and
right use independent noise, so the tail is decorrelated. Each channel's response has unit energy.
"""

from __future__ import annotations

import numpy as np

#: Decay time (RT60, s) at room size 0 and its growth per unit of size: size 0.1–0.9 gives 0.55–2.55 s.
RT60_BASE, RT60_PER_SIZE = 0.3, 2.5
#: Pre-delay (s) at size 0 and its growth per unit of size.
PREDELAY_BASE, PREDELAY_PER_SIZE = 0.005, 0.02
#: Bands of the response, and how much damping 1 would shorten the high band's decay.
CROSSOVER_HZ = 2500.0
DAMPING_SHORTENS = 0.75
#: Decibels of decay after which the response is cut.
LENGTH_DB = 60.0


def rt60(size: float) -> float:
    """The low band's decay time (s, to −60 dB) of a room of ``size`` (0–1)."""
    return RT60_BASE + RT60_PER_SIZE * size


def high_rt60(size: float, damping: float) -> float:
    """The high band's decay time (s): :func:`rt60` shortened by ``damping`` (0–1)."""
    return rt60(size) * (1 - DAMPING_SHORTENS * damping)


def room_impulse(sr: int, *, size: float, damping: float, rng: np.random.Generator) -> np.ndarray:
    """The ``(2, length)`` impulse response of a room of ``size`` and ``damping`` (both 0–1)."""
    from scipy.signal import butter, sosfilt

    predelay = round((PREDELAY_BASE + PREDELAY_PER_SIZE * size) * sr)
    length = int(np.ceil(rt60(size) * LENGTH_DB / 60 * sr))
    t = np.arange(length) / sr
    noise = rng.standard_normal((2, length))
    low = sosfilt(butter(2, min(CROSSOVER_HZ, 0.45 * sr), fs=sr, output="sos"), noise, axis=1)
    high = noise - low
    decay = np.log(10 ** (60 / 20))  # amplitude falls by 60 dB over one RT60
    tail = low * np.exp(-decay * t / rt60(size)) + high * np.exp(-decay * t / high_rt60(size, damping))
    tail /= np.sqrt(np.sum(tail**2, axis=1, keepdims=True))
    return np.concatenate([np.zeros((2, predelay)), tail], axis=1)


class Room:
    """``dry·x + wet·(m ∗ h)``: the mono sum ``m = (L + R)/2`` into the two channels of the
    response ``h`` of :func:`room_impulse` (one forward transform of the input for both, so the
    tail's width comes from the response), by FFT overlap-add in float32 with segments as long as
    the response (``scipy.signal.oaconvolve`` picks ones about three times slower here); the part
    of each block's reverberation that rings past its end is added to the next blocks."""

    def __init__(self, impulse: np.ndarray, *, wet: float, dry: float) -> None:
        from scipy import fft

        self.impulse, self.wet, self.dry = impulse.astype(np.float32), wet, dry
        length = impulse.shape[1]
        self.size = max(1 << 16, 1 << int(np.ceil(np.log2(2 * length))))  # FFT size: ≥ twice the response
        self.spectrum = fft.rfft(self.impulse, self.size, axis=1)
        self.ringing = np.zeros((2, length - 1), dtype=np.float32)

    def _convolve(self, mono: np.ndarray) -> np.ndarray:
        """``mono ∗ h``, ``(2, n + length − 1)`` float32."""
        from scipy import fft

        n, length = mono.shape[0], self.impulse.shape[1]
        size, spectrum = self.size, self.spectrum
        if n + length - 1 < size:  # a short block: one transform just long enough
            size = fft.next_fast_len(n + length - 1, real=True)
            spectrum = fft.rfft(self.impulse, size, axis=1)
        step = size - length + 1
        out = np.zeros((2, n + length - 1), dtype=np.float32)
        for start in range(0, n, step):
            piece = fft.irfft(fft.rfft(mono[start : start + step], size) * spectrum, size, axis=1)
            stop = min(start + size, out.shape[1])
            out[:, start:stop] += piece[:, : stop - start]
        return out

    def process(self, block: np.ndarray) -> np.ndarray:
        if self.wet == 0:
            return np.asarray(self.dry * block, dtype=np.float64)
        n = block.shape[1]
        mono = np.add(block[0], block[1], dtype=np.float32)
        mono *= np.float32(0.5)
        full = self._convolve(mono)  # n + length − 1 samples: at least the ringing carried over
        full[:, : self.ringing.shape[1]] += self.ringing
        self.ringing = full[:, n:]
        out = full[:, :n].astype(np.float64)
        out *= self.wet
        out += self.dry * block
        return out
