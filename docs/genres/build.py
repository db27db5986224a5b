"""Build the genre gallery: one render per genre with its spectrogram, piano roll and audio.

Run from the repository root::

    .venv/bin/python docs/genres/build.py

Writes ``docs/genres/<genre>.png`` and ``<genre>.ogg`` (12 s, the bundled sound font, seed 1)
and ``docs/genres/README.md``. The same command gives the same files.
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


IDIOMS = """## Genre idioms

Where a tagger trained on real music misread the renders (rock heard as electronica, cinematic or
ambient; electronica as ambient), the renderer plays what records of the genre do and the catalog
style alone does not say. The tables are in `src/mirloop/renderer/idioms.py`.

| genre | idiom | where | numbers |
|---|---|---|---|
| rock (and any band with GM 29/30) | power chords on the overdriven (29) and distortion (30) guitars when they comp | score (`pitched.chord_part`) | root in E2–D#3, fifth, octave; no third, no pedal |
| rock | bass drives straight eighths on the chord roots after the intro | score (`pitched.bass_part`) | every eighth of build and climax bars |
| rock | crash on the downbeat of every 4-bar phrase and every climax bar (the loud kit) | score (`drums.drum_part`) | GM crash 49, accent 0.4 |
| rock (GM 29/30) | drive on the guitar bus: tanh waveshaper, 2nd-order cabinet low-pass | mix (`buses.Drive`) | 14 dB (29), 22 dB (30) into the shaper, knee near 0.12 FS, low-pass 5.5 kHz |
| electronica | side-chain pumping: pads, chords and bass duck under every kick of the region's kit | mix (`buses.Ducker`) | 6 dB deep, 4 ms attack, back within 1 dB after 150 ms |
| electronica | house: four-on-the-floor kick, clap on 2 and 4, off-beat open hats | catalog rhythm | (as before) |
| electronica | every band has a synth: `guitar_and_pads` plays synth bass (38) and a synth pluck arpeggio (84) | catalog band | |
| cinematic orchestral, documentary underscore | a hall: longer, louder reverb | mix (`MixSettings.decay`, reverb send) | RT60 2.8 s / send ×1.6 (cinematic orchestral), 2.4 s / ×1.3 (documentary underscore); others 1.6 s |
| any band with timpani (47) | timpani on accents: the root on each downbeat, the fifth below on beat 3 of climax bars, a sixteenth roll through the beat before the climax | score (`pitched.timpani_part`) | D2–A3 |
| cinematic orchestral | strings (48), brass (60/61), timpani (47); `brass_and_drums` adds tremolo strings (44) | catalog band | |

Score idioms are part of the composition (a pure function of plan and seed). Mix idioms can be
switched off with the renderer option `idioms=false` (e.g. `mirloop render … --set
renderer.idioms=false`), to measure what they bring; `tests/renderer/test_idioms.py` checks each
one against a render without it: the electronica pad's level 10–40 ms after each kick is more
than 3 dB under its level just before (less than 1 dB without the idiom), the distortion
guitar's crest factor falls by more than 6 dB, and `Drive` turns a sine into odd harmonics only
(3rd above −20 dB, 2nd under −60 dB). `.venv/bin/python benchmarks/bench_idioms.py` prints the
two render measures (22.05 kHz, bundled font, seed 4):

| render | idioms on | idioms off |
|---|---|---|
| `electronica_house_driving`, `piano_house`: pad level after each kick | −4.4 dB | +0.5 dB |
| `rock_classic_aggressive`, `power_trio`: distortion guitar crest factor | 3.3 dB | 13.9 dB |
"""


def main() -> None:
    lines = ["# Genre gallery", "",
             "One 12-s render per genre (first subgenre and mood in catalog order, seed 1, bundled",
             "General MIDI sound font). Rebuild with `.venv/bin/python docs/genres/build.py`.", ""]
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
    (HERE / "README.md").write_text("\n".join(lines) + "\n" + IDIOMS)


if __name__ == "__main__":
    main()
