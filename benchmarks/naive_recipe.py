"""The paper's analysis recipe written the straightforward way, as the baseline of the benchmark.

Every stage works on its own: each 10-s window (2-s hop) is cut from the signal and handed
to librosa feature functions that each compute their own spectrogram, the tempo stage runs
``librosa.feature.tempo`` per window, the key stage ``librosa.feature.chroma_cqt`` per window
(tonic = the most prominent pitch class), and form segmentation follows librosa's Laplacian
segmentation example (McFee & Ellis 2014) with k chosen by silhouette analysis.

The output is deliberately close to what mirloop's default backends produce (21 window
features, a tempo and a tonic per window, labelled segments), so the two can be timed
against each other; this file is not used by mirloop itself.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

SR = 22050
WINDOW_SECONDS, HOP_SECONDS = 10.0, 2.0
PITCH_CLASSES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def analyze(path: str) -> dict[str, Any]:
    """Features, tempo, tonic per window and form segments of the audio file at ``path``."""
    import librosa

    y, _ = librosa.load(path, sr=SR, mono=True)
    sr = SR
    windows = list(_windows(y, sr))
    features = window_features(windows, sr)
    tempi = [float(np.atleast_1d(librosa.feature.tempo(y=w, sr=sr))[0]) for w in windows]
    tonics = [PITCH_CLASSES[int(np.argmax(librosa.feature.chroma_cqt(y=w, sr=sr).mean(axis=1)))]
              for w in windows]
    return {
        "duration": len(y) / sr,
        "features": features,
        "window_bpm": tempi,
        "window_tonic": tonics,
        "segments": laplacian_segments(y, sr),
    }


def _windows(y: np.ndarray, sr: int) -> Any:
    window, hop = int(WINDOW_SECONDS * sr), int(HOP_SECONDS * sr)
    last = max(len(y) - window, 0)
    for start in range(0, last + 1, hop):
        yield y[start : start + window]


def window_features(windows: list[np.ndarray], sr: int) -> np.ndarray:
    """The 21 features per window: 3 MFCC means, 3 PCA components of the 20 MFCC means, 15 more."""
    from sklearn.decomposition import PCA

    mfcc_means, others = [], []
    for w in windows:
        mfcc_means.append(_librosa().feature.mfcc(y=w, sr=sr, n_mfcc=20).mean(axis=1))
        others.append(_spectral_temporal(w, sr))
    mfcc = np.array(mfcc_means)
    n_components = min(3, len(windows))
    pca = np.zeros((len(windows), 3))
    pca[:, :n_components] = PCA(n_components=n_components).fit_transform(mfcc)
    return np.hstack([mfcc[:, :3], pca, np.array(others)])


def _spectral_temporal(w: np.ndarray, sr: int) -> list[float]:
    librosa = _librosa()
    rms = librosa.feature.rms(y=w)[0]
    onset_env = librosa.onset.onset_strength(y=w, sr=sr)
    onsets = librosa.onset.onset_detect(y=w, sr=sr)
    chroma = librosa.feature.chroma_stft(y=w, sr=sr)
    tempogram = librosa.feature.tempogram(y=w, sr=sr)
    return [
        float(np.atleast_1d(librosa.feature.tempo(y=w, sr=sr))[0]),
        len(onsets) / (len(w) / sr),
        float(rms.mean()),
        float(rms.std()),
        float(np.mean(rms < rms.mean())),
        float(librosa.feature.zero_crossing_rate(w).mean()),
        float(librosa.feature.spectral_centroid(y=w, sr=sr).mean()),
        float(librosa.feature.spectral_rolloff(y=w, sr=sr).mean()),
        float(librosa.feature.spectral_flatness(y=w).mean()),
        float(librosa.feature.spectral_contrast(y=w, sr=sr).mean()),
        float(onset_env.mean()),
        float(chroma.max(axis=0).mean()),
        float(np.sort(chroma.mean(axis=1))[-1] - np.median(chroma.mean(axis=1))),
        _mode(chroma.mean(axis=1)),
        float(tempogram[1:].max(axis=0).mean()),
    ]


#: Krumhansl–Kessler major and minor profiles, C first.
KK_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KK_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


def _mode(chroma: np.ndarray) -> float:
    """Best major minus best minor key-profile correlation of a mean chroma vector."""
    if np.std(chroma) < 1e-9:
        return 0.0
    best = [
        max(float(np.corrcoef(chroma, np.roll(profile, k))[0, 1]) for k in range(12))
        for profile in (KK_MAJOR, KK_MINOR)
    ]
    return best[0] - best[1]


def laplacian_segments(y: np.ndarray, sr: int) -> list[tuple[float, float, int]]:
    """``(start, end, cluster)`` per segment, following librosa's Laplacian segmentation example."""
    import scipy
    import scipy.ndimage
    import scipy.sparse.csgraph
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    librosa = _librosa()
    bins_per_octave, n_octaves = 12 * 3, 7
    cqt = librosa.amplitude_to_db(
        np.abs(librosa.cqt(y=y, sr=sr, bins_per_octave=bins_per_octave, n_bins=n_octaves * bins_per_octave)),
        ref=np.max,
    )
    _, beats = librosa.beat.beat_track(y=y, sr=sr, trim=False)
    cqt_sync = librosa.util.sync(cqt, beats, aggregate=np.median)
    beat_times = librosa.frames_to_time(librosa.util.fix_frames(beats, x_min=0), sr=sr)
    recurrence = librosa.segment.recurrence_matrix(cqt_sync, width=3, mode="affinity", sym=True)
    recurrence = librosa.segment.timelag_filter(scipy.ndimage.median_filter)(recurrence, size=(1, 7))
    mfcc_sync = librosa.util.sync(librosa.feature.mfcc(y=y, sr=sr), beats)
    path_distance = np.sum(np.diff(mfcc_sync, axis=1) ** 2, axis=0)
    path_sim = np.exp(-path_distance / np.median(path_distance))
    path = np.diag(path_sim, k=1) + np.diag(path_sim, k=-1)
    deg_path, deg_rec = path.sum(axis=1), recurrence.sum(axis=1)
    mu = deg_path.dot(deg_path + deg_rec) / np.sum((deg_path + deg_rec) ** 2)
    affinity = mu * recurrence + (1 - mu) * path
    laplacian = scipy.sparse.csgraph.laplacian(affinity, normed=True)
    _, evecs = scipy.linalg.eigh(laplacian)
    evecs = scipy.ndimage.median_filter(evecs, size=(9, 1))
    cumulative = np.cumsum(evecs**2, axis=1) ** 0.5
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, max(3, min(8, int(len(y) / sr / 30)) + 1)):  # silhouette analysis over k
        x = evecs[:, :k] / (cumulative[:, k - 1 : k] + 1e-12)
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = float(silhouette_score(x, labels)) if len(set(labels)) > 1 else -1.0
        if best is None or score > best[0]:
            best = (score, labels)
    assert best is not None
    labels = best[1]
    starts = [0, *(i for i in range(1, len(labels)) if labels[i] != labels[i - 1])]
    bounds = [*beat_times[starts], len(y) / sr]
    return [(float(bounds[i]), float(bounds[i + 1]), int(labels[s])) for i, s in enumerate(starts)]


def _librosa() -> Any:
    import librosa

    return librosa
