"""Key-finding variants of the ``librosa`` key backend scored on an annotated folder, from one
reading of each file's chromas (no backend option covers them; they were tried and not adopted).

    python devsets/annotated/key_variants.py FOLDER [--groups]

For every audio file with a ``key_mode`` reference in its JAMS sidecar, the tuning-corrected CQT
chroma and the note chroma are computed once (as the backend does) and read by:

- ``fixed 0.3`` (the backend with ``melody_gate=false``) and ``confidence 0.5``
  (``weighting=confidence, notes_weight=0.5``);
- ``window vote``: the default's per-window keys (10-s windows, 2-s hop), the most frequent wins
  (ties by the track scores);
- ``sqrt frames`` / ``squared frames``: the frames compressed or expanded before averaging;
- with ``--groups`` (file names ``<collection>_<n>``, as the compositions): ``fitted profile`` —
  major and minor weights for the note chroma fitted by multinomial logistic regression over the
  24 rotations (L2 pull of 0.1 towards ``albrecht``), leave-one-collection-out (Aird's books 1–6
  each a group, the other collections one group): every file is scored by a profile fitted
  without its collection.

Prints MIREX weighted score and answer kinds (same, fifth, relative, parallel, other) per variant,
then each variant's score on the files where at least half the sounding frames of the note chroma
hold a single pitch class (at least half their frame's maximum) and on the others, and with
``--groups`` per collection.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

KINDS = {1.0: "same", 0.5: "fifth", 0.3: "relative", 0.2: "parallel", 0.0: "other"}


def reference_key(jams_path: Path) -> str | None:
    for annotation in json.loads(jams_path.read_text(encoding="utf-8"))["annotations"]:
        if annotation["namespace"] == "key_mode" and annotation["data"]:
            return str(annotation["data"][0]["value"])
    return None


def read_chromas(folder: Path) -> dict[str, dict[str, Any]]:
    from mirloop.backends.librosa.notes import note_chroma
    from mirloop.io.audio import load_audio
    from mirloop.signal import TrackContext
    from mirloop.signal.context import frames_scaled_to_max

    files = {}
    for audio in sorted(folder.glob("*.flac")) + sorted(folder.glob("*.wav")):
        sidecar = audio.with_suffix(".jams")
        key = reference_key(sidecar) if sidecar.exists() else None
        if key is None:
            continue
        ctx = TrackContext(load_audio(str(audio)))
        files[audio.stem] = {
            "key": key,
            "cqt": ctx.tuned_chroma,
            "notes": frames_scaled_to_max(note_chroma(ctx.constant_q.db, ctx.tuning)),
            "rate": np.asarray(ctx.chroma_frame_rate),
        }
    return files


def mixed(cqt: np.ndarray, notes: np.ndarray, weight: float, *, confidence: bool = False) -> np.ndarray:
    from mirloop.backends.librosa.key import reading_shares
    from mirloop.backends.librosa.profiles import key_correlations

    scores = [key_correlations(cqt, "edma"), key_correlations(notes, "albrecht+krumhansl")]
    shares = reading_shares([1 - weight, weight], scores, by_confidence=confidence)
    return np.asarray(sum(s[..., None] * x for s, x in zip(shares, scores)))


def windows(frames: np.ndarray, rate: float, width: float = 10.0, hop: float = 2.0) -> np.ndarray:
    n = frames.shape[1]
    starts = np.arange(0.0, max(n / rate - width, 0.0) + hop / 2, hop)
    return np.stack(
        [frames[:, int(s * rate) : max(int((s + width) * rate), int(s * rate) + 1)].mean(1) for s in starts]
    )


def window_vote(f: dict) -> np.ndarray:
    rate = float(f["rate"])
    per_window = mixed(windows(f["cqt"], rate), windows(f["notes"], rate), 0.3)
    votes = np.bincount(np.argmax(per_window, axis=1), minlength=24).astype(float)
    return votes + 1e-3 * mixed(f["cqt"].mean(1), f["notes"].mean(1), 0.3)


def group_of(stem: str) -> str:
    collection = stem.rsplit("_", 1)[0]
    return collection if collection.startswith("book") else "other"


def key_index(key: str) -> int:
    import mir_eval

    tonic, mode = key.replace(":", " ").split()
    return mir_eval.key.KEY_TO_SEMITONE[tonic.lower()] + (12 if mode == "minor" else 0)


def rotations(chroma: np.ndarray) -> np.ndarray:
    """``(24, 24)`` features: for key k (tonic t, mode m), the z-scored chroma rotated to t, in block m."""
    z = (chroma - chroma.mean()) / (chroma.std() + 1e-9)
    out = np.zeros((24, 24))
    for k in range(24):
        mode, tonic = divmod(k, 12)
        out[k, 12 * mode : 12 * mode + 12] = np.roll(z, -tonic)
    return out


def fit_profile(features: np.ndarray, labels: np.ndarray, start: np.ndarray, pull: float = 0.1) -> np.ndarray:
    from scipy.optimize import minimize

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = features @ w
        s = s - s.max(axis=1, keepdims=True)
        log_total = np.log(np.exp(s).sum(axis=1))
        p = np.exp(s - log_total[:, None])
        rows = np.arange(len(labels))
        value = -(s[rows, labels] - log_total).mean() + pull * ((w - start) ** 2).sum()
        grad = np.einsum("nk,nkd->d", p, features) / len(labels) - features[rows, labels].mean(0)
        return float(value), grad + 2 * pull * (w - start)

    return np.asarray(minimize(loss, start, jac=True, method="L-BFGS-B").x)


def fitted_profile_answers(files: dict[str, dict]) -> dict[str, int]:
    from mirloop.backends.librosa.profiles import key_templates

    start = np.concatenate([key_templates("albrecht")[0], key_templates("albrecht")[12]])
    features = {stem: rotations(f["notes"].mean(1)) for stem, f in files.items()}
    answers = {}
    for group in sorted({group_of(s) for s in files}):
        train = [s for s in files if group_of(s) != group]
        w = fit_profile(
            np.stack([features[s] for s in train]),
            np.array([key_index(files[s]["key"]) for s in train]),
            start,
        )
        answers.update({s: int(np.argmax(features[s] @ w)) for s in files if group_of(s) == group})
    return answers


def mirex(files: dict[str, dict], answers: dict[str, int]) -> dict[str, float]:
    import mir_eval

    from mirloop.backends.librosa.profiles import KEYS

    return {
        s: mir_eval.key.weighted_score(files[s]["key"].replace(":", " "), f"{KEYS[i].tonic} {KEYS[i].mode}")
        for s, i in answers.items()
    }


def report(name: str, files: dict[str, dict], answers: dict[str, int]) -> str:
    scores = list(mirex(files, answers).values())
    kinds = " | ".join(str(sum(x == k for x in scores)) for k in KINDS)
    return f"| {name} | {np.mean(scores):.3f} | {kinds} |"


def single_pitch_share(notes: np.ndarray) -> float:
    """Share of the sounding frames whose note chroma has one pitch class at ≥ half the frame's maximum."""
    sounding = notes[:, notes.max(axis=0) > 0]
    return float(((sounding >= 0.5).sum(axis=0) == 1).mean()) if sounding.size else 0.0


def breakdown(
    files: dict[str, dict], all_answers: dict[str, dict[str, int]], split: Callable[[str], str]
) -> None:
    names = sorted({split(s) for s in files})
    counts = " | ".join(f"{n} ({sum(split(s) == n for s in files)})" for n in names)
    print(f"\n| variant | {counts} |\n|---|" + "---:|" * len(names))
    for variant, answers in all_answers.items():
        scores = mirex(files, answers)
        cells = " | ".join(f"{np.mean([v for s, v in scores.items() if split(s) == n]):.3f}" for n in names)
        print(f"| {variant} | {cells} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument(
        "--groups", action="store_true", help="also the leave-one-collection-out fitted profile"
    )
    args = parser.parse_args(argv)
    files = read_chromas(args.folder)
    variants: dict[str, Callable[[dict], np.ndarray]] = {
        "fixed 0.3 (default)": lambda f: mixed(f["cqt"].mean(1), f["notes"].mean(1), 0.3),
        "confidence 0.5": lambda f: mixed(f["cqt"].mean(1), f["notes"].mean(1), 0.5, confidence=True),
        "window vote": window_vote,
        "sqrt frames": lambda f: mixed(np.sqrt(f["cqt"]).mean(1), np.sqrt(f["notes"]).mean(1), 0.3),
        "squared frames": lambda f: mixed((f["cqt"] ** 2).mean(1), (f["notes"] ** 2).mean(1), 0.3),
    }
    print(f"{len(files)} files\n\n| variant | MIREX | " + " | ".join(KINDS.values()) + " |")
    print("|---|---:|" + "---:|" * len(KINDS))
    all_answers = {
        name: {s: int(np.argmax(scores(f))) for s, f in files.items()} for name, scores in variants.items()
    }
    all_answers["note chroma alone"] = {
        s: int(np.argmax(mixed(f["cqt"].mean(1), f["notes"].mean(1), 1.0))) for s, f in files.items()
    }
    if args.groups:
        all_answers["fitted profile, note chroma alone (leave one collection out)"] = fitted_profile_answers(
            files
        )
    for name, answers in all_answers.items():
        print(report(name, files, answers))
    share = {s: single_pitch_share(f["notes"]) for s, f in files.items()}
    breakdown(files, all_answers, lambda s: "single pitch class ≥ half" if share[s] >= 0.5 else "fewer")
    if args.groups:
        breakdown(files, all_answers, group_of)


if __name__ == "__main__":
    main()
