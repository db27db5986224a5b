"""Metrical-level choices of the ``librosa`` tempo that no option of the built-in answer covers,
scored on several annotated folders at once, from one reading of each file (tried, not adopted).

    python devsets/annotated/tempo_levels.py NAME=FOLDER [NAME=FOLDER ...] [--jobs 2]

For every audio file with one tempo reference (JAMS or CSV, as ``mirloop evaluate-backends``
reads them) the onset envelope and the mean onset autocorrelation are computed once, as the
default analysis does. Then, per folder (Acc1 / Acc2):

- **prior**: the track tempo with the comb and the grouping test as built in, under log-Gaussian
  priors centred at 100, 110 and 120 BPM (the default) and 1.0 or 1.5 octaves wide (the default);
- **learned level**: the built-in answer ``T`` or ``T/2`` or ``2T``, whichever a logistic
  regression scores highest, over the level's distance from 120 BPM (log₂ and its square), its
  comb salience, the autocorrelation at its period, half and double period, the onset accent on
  its tracked beats against half-way between them, and how its beats accent in twos. Each folder
  is scored by a model trained on the **other** folders only (leave one folder out), so a folder
  whose tempi were drawn differently from the others shows whether the choice transfers.

Folders that hold the same music (the two productions of the same renders) should be passed as
one ``NAME=FOLDER,FOLDER``, so that neither trains the model scored on the other.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PRIORS = [(120.0, 1.5), (110.0, 1.5), (100.0, 1.5), (120.0, 1.0), (110.0, 1.0), (100.0, 1.0)]
LEVELS = (0.5, 1.0, 2.0)
FEATURES = (
    "log2 level/120",
    "its square",
    "comb",
    "acf period",
    "acf half",
    "acf double",
    "on/off",
    "twos F",
)


def read_file(audio: Path) -> dict[str, Any]:
    """What every choice below reads from one file: envelope, mean autocorrelation, frame rate."""
    from mirloop.io.audio import load_audio

    return read_file_audio(load_audio(audio))


def read_file_audio(audio: Any) -> dict[str, Any]:
    """:func:`read_file` for decoded :class:`~mirloop.types.Audio`."""
    from mirloop.signal import TrackContext
    from mirloop.signal.tempo import column_mean

    ctx = TrackContext(audio)
    return {"env": ctx.rhythm_envelope, "acf": column_mean(ctx.tempogram.acf), "fps": ctx.frame_rate}


def track_tempo(reading: dict[str, Any], center: float, width: float) -> float:
    """The built-in track tempo (comb, prior, grouping test) under another prior."""
    from mirloop.signal.tempo import TempoSettings, choose_track_tempo

    settings = TempoSettings(prior_center=center, prior_width=width)
    return choose_track_tempo(reading["acf"], reading["env"], fps=reading["fps"], settings=settings).bpm


def level_features(reading: dict[str, Any], bpm: float) -> list[float]:
    """The features of one candidate level (see the module docstring)."""
    from scipy.ndimage import maximum_filter1d

    from mirloop.signal.beats import track_beats
    from mirloop.signal.tempo import comb_salience, phase_f_test, positive_acf

    env, acf, fps = reading["env"], reading["acf"], reading["fps"]
    period = 60.0 * fps / bpm
    at = positive_acf(acf, np.array([period, period / 2, 2 * period]))
    beats = np.round(track_beats(env, fps=fps, bpm=bpm) * fps).astype(np.int64)
    beats = beats[beats < len(env)]
    accents = maximum_filter1d(env, size=2 * max(1, int(period / 8)) + 1)
    on = float(accents[beats].mean()) if len(beats) else 0.0
    between = np.round(beats[:-1] + np.diff(beats) / 2).astype(np.int64)
    off = float(accents[between].mean()) if len(between) else 0.0
    twos, _ = phase_f_test(accents[beats], 2) if len(beats) else (0.0, 1.0)
    distance = float(np.log2(bpm / 120.0))
    return [
        distance,
        distance**2,
        float(comb_salience(acf, np.array([bpm]), fps)[0]),
        *map(float, at),
        float(np.log1p(on) - np.log1p(off)),
        float(np.log1p(min(twos, 1e3))),
    ]


def accuracy(estimate: float, reference: float) -> tuple[float, float]:
    from mirloop.evaluation.metrics import tempo_accuracy

    return tempo_accuracy(estimate, reference)


def load_folders(specs: list[str], jobs: int) -> dict[str, list[tuple[dict[str, Any], float]]]:
    from mirloop.evaluation.annotations import read_truth
    from mirloop.evaluation.dataset import find_items

    folders: dict[str, list[tuple[Path, float]]] = {}
    for spec in specs:
        name, _, paths = spec.partition("=")
        if not paths:
            raise SystemExit(f"expected NAME=FOLDER[,FOLDER], got {spec!r}")
        items = [item for path in paths.split(",") for item in find_items(path)]
        folders[name] = [(i.audio, t) for i in items if (t := read_truth(i.annotation).tempo) is not None]
    files = [audio for rows in folders.values() for audio, _ in rows]
    with ProcessPoolExecutor(jobs) as pool:
        readings = dict(zip(files, pool.map(read_file, files, chunksize=4)))
    return {name: [(readings[a], ref) for a, ref in rows] for name, rows in folders.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="NAME=FOLDER[,FOLDER]")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    from sklearn.linear_model import LogisticRegression

    data = load_folders(args.folders, args.jobs)
    names = list(data)
    print("| prior (centre, width) | " + " | ".join(f"{n} ({len(data[n])})" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for center, width in PRIORS:
        cells = []
        for name in names:
            scores = np.array([accuracy(track_tempo(r, center, width), ref) for r, ref in data[name]])
            cells.append("{:.3f} / {:.3f}".format(*scores.mean(axis=0)))
        print(f"| {center:g} BPM, {width:g} oct | " + " | ".join(cells) + " |")

    # One row per file: the built-in answer's levels, their features (relative to T's) and hits.
    table = {}
    for name in names:
        rows = []
        for reading, ref in data[name]:
            bpm = track_tempo(reading, 120.0, 1.5)
            features = np.array([level_features(reading, bpm * k) for k in LEVELS])
            hits = np.array([accuracy(bpm * k, ref) for k in LEVELS])
            rows.append((features - features[1], hits))
        table[name] = rows
    print("\n| held-out folder | built in | learned level (trained on the others) |\n|---|---|---|")
    for held in names:
        train = [row for name in names if name != held for row in table[name]]
        model = LogisticRegression(C=1.0, max_iter=5000).fit(
            np.concatenate([f for f, _ in train]), np.concatenate([h[:, 0] for _, h in train])
        )
        built_in = np.mean([h[1] for _, h in table[held]], axis=0)
        chosen = np.mean([h[int(np.argmax(model.decision_function(f)))] for f, h in table[held]], axis=0)
        print(f"| {held} | {built_in[0]:.3f} / {built_in[1]:.3f} | {chosen[0]:.3f} / {chosen[1]:.3f} |")
    everything = [row for rows in table.values() for row in rows]
    model = LogisticRegression(C=1.0, max_iter=5000).fit(
        np.concatenate([f for f, _ in everything]), np.concatenate([h[:, 0] for _, h in everything])
    )
    print(
        "\ncoefficients on all folders: "
        + ", ".join(f"{n} {c:+.2f}" for n, c in zip(FEATURES, model.coef_[0]))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
