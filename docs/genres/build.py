"""Build the genre gallery: one render per genre with its spectrogram, piano roll and audio.

Run from the repository root::

    .venv/bin/python docs/genres/build.py

Writes ``docs/genres/<genre>.png`` and ``<genre>.ogg`` (12 s, the default genre production with
its font parts on the bundled sound font, seed 1)
and ``docs/genres/README.md`` (ending with the genre idioms of ``idioms.md``). The same command
gives the same files.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import soundfile as sf

from mirloop.catalog import load_catalog
from mirloop.io.atomic import atomic_open
from mirloop.renderer import render_descriptor

HERE = Path(__file__).resolve().parent
SECONDS = 12.0
SEED = 1


def first_descriptor_per_genre() -> dict[str, str]:
    catalog = load_catalog()
    chosen: dict[str, str] = {}
    for genre, subgenres in catalog.tree().items():
        subgenre = sorted(subgenres)[0]
        mood = sorted(subgenres[subgenre])[0]
        chosen[genre] = f"{genre}_{subgenre}_{mood}"
    return chosen


def figure(name: str, audio: np.ndarray, sr: int, midi: object, path: Path) -> None:
    import librosa
    import librosa.display

    fig, (ax_spec, ax_roll) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True, constrained_layout=True)
    mel = librosa.feature.melspectrogram(y=audio, sr=sr, n_mels=96, fmax=sr / 2)
    librosa.display.specshow(librosa.power_to_db(mel, ref=np.max), sr=sr, x_axis="time", y_axis="mel",
                             ax=ax_spec, cmap="magma")
    ax_spec.set_title(f"{name}: mel spectrogram")
    colors = plt.get_cmap("tab10")
    for index, instrument in enumerate(midi.instruments):  # type: ignore[attr-defined]
        label = "drums" if instrument.is_drum else instrument.name or f"program {instrument.program}"
        for n, note in enumerate(instrument.notes):
            ax_roll.broken_barh([(note.start, note.end - note.start)], (note.pitch - 0.4, 0.8),
                                color=colors(index % 10), label=label if n == 0 else None)
    ax_roll.set_xlim(0, len(audio) / sr)
    ax_roll.set_ylabel("MIDI pitch")
    ax_roll.set_xlabel("time (s)")
    ax_roll.set_title("piano roll (drums at their General MIDI note numbers)")
    ax_roll.legend(loc="upper right", fontsize=7, ncols=2)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def write_ogg(path: Path, audio: np.ndarray, sr: int) -> None:
    """Write OGG Vorbis, keeping an existing file that decodes to the same samples: every encode gets
    a random stream serial number, so the bytes differ even when the sound does not."""
    encoded = io.BytesIO()
    sf.write(encoded, audio.T, sr, format="OGG", subtype="VORBIS")
    if path.exists():
        encoded.seek(0)
        new, _ = sf.read(encoded)
        old, _ = sf.read(path)
        if old.shape == new.shape and np.array_equal(old, new):
            return
    with atomic_open(path, "wb") as handle:
        handle.write(encoded.getvalue())


#: The genre idioms section, appended to the gallery page.
IDIOMS = HERE / "idioms.md"


def main() -> None:
    lines = ["# Genre gallery", "",
             "One 12-s render per genre (first subgenre and mood in catalog order, seed 1) in the",
             "renderer's default genre production, its sampled parts on the bundled General MIDI sound",
             "font. Rebuild with `.venv/bin/python docs/genres/build.py`.", ""]
    for genre, name in first_descriptor_per_genre().items():
        result = render_descriptor(name, SECONDS, seed=SEED, config={"soundfont": "bundled"})
        audio = result.audio.samples
        write_ogg(HERE / f"{genre}.ogg", audio, result.audio.sr)
        figure(name, audio.mean(axis=0), result.audio.sr, result.pretty_midi, HERE / f"{genre}.png")
        region = result.truth.regions[0]
        key = region.key or "none (percussion)"
        lines += [f"## {genre}", "", f"`{name}` — {region.tempo:.0f} BPM, key {key}, "
                  f"band `{region.band}`", "", f"![{name}]({genre}.png)", "", f"[listen]({genre}.ogg)", ""]
        print(f"{genre}: {name}")
    (HERE / "README.md").write_text("\n".join(lines) + "\n" + IDIOMS.read_text())


if __name__ == "__main__":
    main()
