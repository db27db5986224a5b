"""Onset-autocorrelation tempogram and octave-aware tempo selection.

``librosa.feature.tempo`` picks the autocorrelation peak under a log-normal prior, which
often lands one metrical level off (a 70-BPM groove with eighth-note hats read as 140, or a
180-BPM click as 90). Here every candidate tempo is scored by a *metrical comb*: the
autocorrelation at its beat period plus, with decreasing weights, at 2, 3 and 4 periods (the
bar-level evidence that a true beat level has and a subdivision does not), minus a penalty
when the period 1.5 times as long is more periodic than the period itself: then the candidate
is two thirds of a compound beat (the quarter note of a 6/8 jig whose dotted quarter is the
beat), not a metrical level. The comb is then weighted by a broad log-Gaussian prior (Ellis
2007; Klapuri et al. 2006 use the same idea with a resonator bank). Because a comb over several
multiples is evaluated on linearly interpolated lags, the chosen tempo is precise to a fraction
of a frame. No penalty pushes a candidate to the double tempo when its half period is periodic
too: on real music that reads an 85–95 BPM beat with eighth notes at its eighths
(docs/backends-comparison.md).

The autocorrelation cannot tell a 6/8 tune's quarter-eighth rhythm (notes on eighths 0, 2, 3
and 5 of the bar, periodic at 2 eighths as well as at 3) from a duple one; the accents can. So
the track tempo is checked once more (:func:`groups_in_threes`): when the pulse at twice the
tempo accents in groups of three, the tempo is two thirds of a compound beat and the dotted
beat, 1.5 periods, replaces it.
"""

from __future__ import annotations

import numpy as np
from attrs import evolve, frozen

from mirloop.signal.beats import track_beats
from mirloop.signal.sample_file import SpilledRows, is_spilled, release_all, release_before
from mirloop.types import Grid, TempoEstimate

#: Autocorrelation window in onset frames (8.9 s at 43 frames per second).
TEMPOGRAM_WINDOW = 384
#: Weights of the autocorrelation at 1, 2, 3 and 4 beat periods in the metrical comb.
COMB_WEIGHTS = (1.0, 0.5, 0.5, 0.25)
#: A candidate loses the excess of the autocorrelation at 1.5 periods over this fraction of its
#: period's: evidence that its period is two thirds of a compound (dotted) beat.
COMPOUND_RATIO = 1.0
#: Significance (F test) at which the accents of the half-period pulse count as grouped in threes.
TRIPLE_GROUPING_ALPHA = 1e-3
#: Fewest groups of three pulses the grouping test reads.
MIN_PULSE_GROUPS = 4
#: Tempo-curve points scored at a time (one a second: 8.5 minutes).
CURVE_BLOCK = 512


@frozen(eq=False)
class Tempogram:
    """Windowed, mean-removed onset autocorrelation, normalised to 1 at lag 0.

    ``acf`` has shape ``(TEMPOGRAM_WINDOW, n_columns)``; column ``j`` is centred on onset frame
    ``j * stride``; ``fps`` is the onset frame rate (frames per second).
    """

    acf: np.ndarray
    stride: int
    fps: float

    @property
    def times(self) -> np.ndarray:
        """Centre time of each column in seconds."""
        return np.arange(self.acf.shape[1]) * self.stride / self.fps


def compute_tempogram(
    onset: np.ndarray, *, fps: float, stride: int = 4, block_columns: int = 4096, spill: bool = False
) -> Tempogram:
    """Tempogram of an onset envelope sampled at ``fps``, one column every ``stride`` frames.

    Computed in blocks of ``block_columns`` columns so the memory stays bounded; with ``spill``
    (a long track: 57 MB an hour) the columns go to a temporary file mapped read-only
    (:class:`~mirloop.signal.sample_file.SpilledRows`, the layout of the array in RAM), which
    the passes of :func:`estimate_track_tempo` release behind them.
    """
    import scipy.fft

    win = TEMPOGRAM_WINDOW
    half = win // 2
    padded = np.pad(onset.astype(np.float32), (half, win - half), mode="constant")
    window = np.hanning(win + 2)[1:-1].astype(np.float32)
    centres = np.arange(0, len(onset), stride)
    spilled = SpilledRows(win, len(centres)) if spill else None
    acf = np.empty((win, len(centres) if spilled is None else 0), dtype=np.float32)
    n_fft = 2 * win
    for c0 in range(0, len(centres), block_columns):
        idx = centres[c0 : c0 + block_columns]
        frames = padded[idx[:, None] + np.arange(win)[None, :]]
        frames = (frames - frames.mean(axis=1, keepdims=True)) * window
        spectrum = scipy.fft.rfft(frames, n=n_fft, axis=1)
        corr = scipy.fft.irfft(np.abs(spectrum) ** 2, n=n_fft, axis=1)[:, :win]
        zero = corr[:, :1]
        corr = np.where(zero > 1e-10, corr / np.maximum(zero, 1e-10), 0.0)
        if spilled is None:
            acf[:, c0 : c0 + len(idx)] = corr.T
        else:
            spilled.write(c0, corr.T)
    return Tempogram(acf=acf if spilled is None else spilled.result(), stride=stride, fps=fps)


def column_mean(acf: np.ndarray) -> np.ndarray:
    """``acf.mean(axis=1)``, bit for bit; a spilled tempogram a row at a time, each row's pages
    released once it is summed."""
    if not is_spilled(acf):
        return acf.mean(axis=1)
    means = np.empty(acf.shape[0], dtype=acf.dtype)
    for row in range(acf.shape[0]):  # numpy sums each row of a C-ordered array on its own
        means[row] = acf[row].mean()
        release_all(acf[row])
    return means


def lag_peak(acf: np.ndarray, lags: slice, *, block_columns: int = 8192) -> np.ndarray:
    """``acf[lags].max(axis=0)`` a block of columns at a time, releasing a spilled tempogram behind."""
    rows = acf[lags]
    peak = np.empty(acf.shape[1], dtype=acf.dtype)
    for c0 in range(0, acf.shape[1], block_columns):
        peak[c0 : c0 + block_columns] = rows[:, c0 : c0 + block_columns].max(axis=0)
        release_before(rows, c0 + block_columns)
    return peak


def _interpolate(acf: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """``acf`` (lags × columns, or 1-D) linearly interpolated at fractional ``lags``; 0 beyond."""
    n = acf.shape[0]
    lo = np.floor(lags).astype(int)
    frac = (lags - lo).astype(np.float32)
    valid = lo + 1 < n
    lo_c = np.clip(lo, 0, n - 2)
    values = acf[lo_c] * (1 - frac[..., None] if acf.ndim == 2 else 1 - frac)
    values = values + acf[lo_c + 1] * (frac[..., None] if acf.ndim == 2 else frac)
    mask = valid[..., None] if acf.ndim == 2 else valid
    return np.where(mask, values, 0.0)


def comb_salience(acf: np.ndarray, bpm: np.ndarray, fps: float) -> np.ndarray:
    """Metrical-comb salience of each tempo in ``bpm`` for ``acf`` (1-D, or lags × columns)."""
    from scipy.ndimage import gaussian_filter1d, maximum_filter1d

    lag = 60.0 * fps / np.asarray(bpm, dtype=np.float64)
    # A beat period between two integer lags splits its peak over both: a Gaussian (1 lag)
    # pools the split energy and a 3-lag maximum keeps the peak height at fractional lags.
    pooled = gaussian_filter1d(np.maximum(acf, 0.0), sigma=1.0, axis=0, mode="constant")
    positive = maximum_filter1d(pooled, size=3, axis=0)
    level = [_interpolate(positive, lag * k) for k in (1, 2, 3, 4)]
    w1, w2, w3, w4 = COMB_WEIGHTS
    comb = w1 * level[0] + np.maximum(w2 * level[1], w3 * level[2]) + w4 * level[3]
    # 1.5 periods more periodic than the period: the candidate is 2/3 of a compound beat.
    compound = np.maximum(_interpolate(positive, lag * 1.5) - COMPOUND_RATIO * level[0], 0.0)
    return comb - compound


def log_gaussian_prior(bpm: np.ndarray, center: float, width: float) -> np.ndarray:
    """``exp(-log2(bpm / center)² / (2 width²))``; ``width`` in octaves."""
    return np.exp(-0.5 * (np.log2(np.asarray(bpm) / center) / width) ** 2)


def bpm_grid(min_bpm: float, max_bpm: float, step: float = 0.002) -> np.ndarray:
    """Log-spaced tempo candidates from ``min_bpm`` to ``max_bpm``, ``step`` octaves apart."""
    n = int(np.ceil(np.log2(max_bpm / min_bpm) / step)) + 1
    return np.asarray(min_bpm * 2.0 ** (np.arange(n) * step))


def refine_lag(acf: np.ndarray, lag: float, tolerance: float = 0.04) -> float:
    """Sub-frame beat period near ``lag`` (frames) from the autocorrelation peak at the longest multiple.

    The peak at ``k × lag`` (k = 4, 3, 2, 1: the largest that fits in the window) is located
    within ``±tolerance`` and refined by parabolic interpolation, then divided by ``k``, so the
    period error shrinks by ``k``. Returns ``lag`` unchanged when no clear peak is found.
    """
    n = len(acf)
    for k in (4, 3, 2, 1):
        centre = k * lag
        lo, hi = int(np.floor(centre * (1 - tolerance))), int(np.ceil(centre * (1 + tolerance)))
        if lo < 1 or hi >= n - 1:
            continue
        peak = lo + int(np.argmax(acf[lo : hi + 1]))
        if acf[peak] <= 0.05 or peak in (lo, hi):
            continue
        left, mid, right = acf[peak - 1], acf[peak], acf[peak + 1]
        curvature = left - 2 * mid + right
        offset = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
        return float((peak + np.clip(offset, -0.5, 0.5)) / k)
    return float(lag)


@frozen
class TempoChoice:
    """A selected tempo (BPM), its confidence in [0, 1] and its autocorrelation peak height."""

    bpm: float
    confidence: float
    clarity: float


def choose_tempo(
    acf: np.ndarray,
    *,
    fps: float,
    min_bpm: float,
    max_bpm: float,
    prior_center: float,
    prior_width: float,
    default: float = 120.0,
) -> TempoChoice:
    """Best tempo for a 1-D autocorrelation ``acf`` under the comb salience and the prior.

    Confidence is the chosen tempo's autocorrelation height times the relative margin of its
    score over the best candidate outside ±8 % of it. A flat (silent) ``acf`` yields
    ``default`` with confidence 0.
    """
    grid = bpm_grid(min_bpm, max_bpm)
    score = comb_salience(acf, grid, fps) * log_gaussian_prior(grid, prior_center, prior_width)
    best = int(np.argmax(score))
    if score[best] <= 1e-6:
        return TempoChoice(bpm=float(default), confidence=0.0, clarity=0.0)
    bpm = 60.0 * fps / refine_lag(acf, 60.0 * fps / float(grid[best]))
    rivals = score[np.abs(np.log2(grid / bpm)) > np.log2(1.08)]
    runner_up = float(rivals.max()) if rivals.size else 0.0
    margin = float(np.clip(1.0 - runner_up / score[best], 0.0, 1.0))
    clarity = float(np.clip(_interpolate(np.maximum(acf, 0.0), np.array([60.0 * fps / bpm]))[0], 0.0, 1.0))
    return TempoChoice(
        bpm=bpm, confidence=float(np.clip(clarity * (0.5 + margin), 0.0, 1.0)), clarity=clarity
    )


def salience_map(acf: np.ndarray, *, fps: float, grid: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Comb salience × prior for every column of a tempogram: shape ``(len(grid), n_columns)``."""
    return comb_salience(acf, grid, fps) * prior[:, None]


def phase_f_test(accents: np.ndarray, group: int) -> tuple[float, float]:
    """One-way ANOVA of ``accents`` across the ``group`` phases of consecutive groups: (F, p).

    A large F says the accent depends on the place in the group, i.e. the pulses group by
    ``group``; ``(0, 1)`` when fewer than :data:`MIN_PULSE_GROUPS` groups or all accents equal.
    """
    from scipy.special import fdtrc

    rows = len(accents) // group
    if rows < MIN_PULSE_GROUPS:
        return 0.0, 1.0
    table = np.asarray(accents[: rows * group], dtype=np.float64).reshape(rows, group)
    means = table.mean(axis=0)
    between = rows * float(((means - table.mean()) ** 2).sum()) / (group - 1)
    within = float(((table - means) ** 2).sum()) / (rows * group - group)
    if within <= 0.0:  # every group alike: perfectly grouped, unless all accents are equal
        return (np.inf, 0.0) if between > 0.0 else (0.0, 1.0)
    f = between / within
    return f, float(fdtrc(group - 1, rows * group - group, f))


def groups_in_threes(onset: np.ndarray, acf: np.ndarray, *, fps: float, bpm: float) -> bool:
    """Whether ``bpm`` is two thirds of a compound beat: its half-period pulses accent in threes.

    Read only where half the period is more periodic than a third (``acf``, the mean onset
    autocorrelation), so that half a period is the tatum. The pulses at twice ``bpm`` are
    tracked on ``onset`` (:func:`~mirloop.signal.beats.track_beats`); each pulse's accent is the
    envelope's maximum within ⅛ period of it. True when the accents differ across the phases of
    groups of three (:func:`phase_f_test`, significant at :data:`TRIPLE_GROUPING_ALPHA`) and more
    than across groups of two (a larger F): a quarter-eighth jig rhythm groups its eighths in
    threes, a duple tune in twos.
    """
    from scipy.ndimage import maximum_filter1d

    period = 60.0 * fps / bpm
    half, third = positive_acf(acf, np.array([period / 2, period / 3]))
    if third > half:
        return False
    pulses = np.round(track_beats(onset, fps=fps, bpm=2.0 * bpm) * fps).astype(np.int64)
    pulses = pulses[(pulses >= 0) & (pulses < len(onset))]
    reach = max(1, int(period / 8))
    accents = maximum_filter1d(np.asarray(onset, dtype=np.float32), size=2 * reach + 1)[pulses]
    f_two, _ = phase_f_test(accents, 2)
    f_three, p_three = phase_f_test(accents, 3)
    return p_three < TRIPLE_GROUPING_ALPHA and f_three > f_two


@frozen
class TempoSettings:
    """Tempo search range and prior (BPM; ``prior_width`` in octaves).

    ``window_width`` (octaves) is the width of the prior that per-window and local tempi get
    around the track tempo: narrow enough to keep the metrical level, wide enough for real
    tempo changes.
    """

    min_bpm: float = 40.0
    max_bpm: float = 240.0
    prior_center: float = 120.0
    prior_width: float = 1.5
    window_width: float = 0.3


def choose_track_tempo(
    acf: np.ndarray, onset: np.ndarray, *, fps: float, settings: TempoSettings
) -> TempoChoice:
    """The track tempo from the mean onset autocorrelation ``acf``: :func:`choose_tempo` under the
    settings' prior, then the dotted beat when the answer's half-period pulses accent in threes
    (:func:`groups_in_threes`; only for a confident answer whose dotted beat is in range)."""
    track = choose_tempo(
        acf,
        fps=fps,
        min_bpm=settings.min_bpm,
        max_bpm=settings.max_bpm,
        prior_center=settings.prior_center,
        prior_width=settings.prior_width,
    )
    dotted = track.bpm / 1.5
    if (
        track.confidence > 0
        and dotted >= settings.min_bpm
        and groups_in_threes(onset, acf, fps=fps, bpm=track.bpm)
    ):
        return evolve(track, bpm=dotted)
    return track


def _column_range(times: np.ndarray, start: float, end: float) -> slice:
    lo = int(np.searchsorted(times, start, side="left"))
    hi = int(np.searchsorted(times, end, side="left"))
    if hi <= lo:
        hi = min(lo + 1, len(times))
        lo = max(hi - 1, 0)
    return slice(lo, hi)


def estimate_track_tempo(
    tempogram: Tempogram,
    onset: np.ndarray,
    *,
    grid: Grid,
    sr: int,
    hop_length: int,
    settings: TempoSettings,
    curve_step: float = 1.0,
    curve_span: float = 4.0,
) -> TempoEstimate:
    """Track tempo, per-window tempo on ``grid``, a tempo curve and beats.

    The track tempo comes from the mean tempogram, moved to the dotted beat when its
    half-period pulses accent in threes (:func:`choose_track_tempo`); windows and the curve (one
    point every ``curve_step`` s, averaging ``curve_span`` s of tempogram) are re-estimated
    under a prior centred on the track tempo. Beats come from dynamic programming at the track tempo
    (:func:`~mirloop.signal.beats.track_beats`, Ellis 2007).
    """
    fps = tempogram.fps
    search = {"fps": fps, "min_bpm": settings.min_bpm, "max_bpm": settings.max_bpm}
    track = choose_track_tempo(column_mean(tempogram.acf), onset, fps=fps, settings=settings)
    times = tempogram.times
    local = {"prior_center": track.bpm, "prior_width": settings.window_width, "default": track.bpm}
    window_bpm = []
    for s, e in zip(grid.starts, grid.ends):
        columns = _column_range(times, s, e)
        window_bpm.append(choose_tempo(tempogram.acf[:, columns].mean(axis=1), **local, **search).bpm)
        release_before(tempogram.acf, columns.start)  # a spilled tempogram behind the windows
    duration = grid.duration
    curve_times = np.arange(0.0, duration, curve_step) if duration > curve_step else np.array([0.0])
    coarse = bpm_grid(settings.min_bpm, settings.max_bpm, step=0.01)
    prior = log_gaussian_prior(coarse, track.bpm, settings.window_width)
    curve_bpm = np.empty(len(curve_times))
    # A block of curve points at a time: the salience map of a whole 10-h curve would take 2 GB
    # of temporaries; each column is scored on its own, so blocks give the same values.
    for p0 in range(0, len(curve_times), CURVE_BLOCK):
        pooled = np.stack(
            [
                tempogram.acf[:, _column_range(times, t - curve_span / 2, t + curve_span / 2)].mean(axis=1)
                for t in curve_times[p0 : p0 + CURVE_BLOCK]
            ],
            axis=1,
        )
        curve_salience = salience_map(pooled, fps=fps, grid=coarse, prior=prior)
        curve_bpm[p0 : p0 + CURVE_BLOCK] = np.where(
            curve_salience.max(axis=0) > 1e-6, coarse[np.argmax(curve_salience, axis=0)], track.bpm
        )
        last = curve_times[min(p0 + CURVE_BLOCK, len(curve_times)) - 1]
        release_before(tempogram.acf, _column_range(times, last - curve_span / 2, last).start)
    release_all(tempogram.acf)
    beats = np.zeros(0)
    if track.confidence > 0:
        beats = track_beats(onset, fps=sr / hop_length, bpm=track.bpm)
    return TempoEstimate(
        bpm=track.bpm,
        confidence=track.confidence,
        window_bpm=np.asarray(window_bpm),
        curve_times=curve_times,
        curve_bpm=curve_bpm,
        beats=np.asarray(beats, dtype=np.float64),
    )


def positive_acf(acf: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """A 1-D autocorrelation at fractional ``lags`` as :func:`comb_salience` reads it (pooled, ≥ 0)."""
    from scipy.ndimage import gaussian_filter1d, maximum_filter1d

    pooled = gaussian_filter1d(np.maximum(acf, 0.0), sigma=1.0, mode="constant")
    return np.asarray(_interpolate(maximum_filter1d(pooled, size=3), np.asarray(lags, dtype=np.float64)))
