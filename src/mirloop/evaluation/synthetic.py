"""A small annotated dataset with exact ground truth, for comparing backends.

Two sources, both deterministic:

- ``signals_*``: :mod:`mirloop.testing.signals` — a drum pattern at a known tempo under an
  I–IV–V–I cadence in a known key (one section), and spliced sections of contrasting texture
  (known boundaries only; their tempo and key change between sections);
- ``render_*``: the mirloop renderer — one descriptor per genre at a set tempo and key, and
  three-region timelines (known boundaries, tempo and key per region); the renderer's JAMS
  sidecar is the annotation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from mirloop.types import Audio

#: (BPM, tonic, mode) of the drums-and-cadence files.
SIGNAL_TRACKS: tuple[tuple[float, str, str], ...] = (
    (72.0, "D", "minor"), (90.0, "Eb", "major"), (100.0, "A", "minor"), (110.0, "G", "major"),
    (128.0, "F#", "minor"), (140.0, "Bb", "major"), (160.0, "C", "minor"), (174.0, "E", "major"),
)
#: Section layouts of the spliced files.
SPLICED_LAYOUTS: tuple[str, ...] = ("ABA", "ABCA", "CAB")
#: (descriptor, BPM, key) of the single-region renders: one per genre of the catalog.
RENDERS: tuple[tuple[str, float, str], ...] = (
    ("pop", 112.0, "E major"), ("rock", 132.0, "A minor"), ("hiphop", 88.0, "C# minor"),
    ("electronica", 124.0, "F minor"), ("jazz", 150.0, "Bb major"), ("folk", 96.0, "G major"),
    ("cinematic", 80.0, "D minor"), ("documentary", 104.0, "Ab major"),
)
#: Regions of the multi-region renders: (genre, BPM, key) each, 12 s per region.
MULTI_REGION: tuple[tuple[tuple[str, float, str], ...], ...] = (
    (("rock", 120.0, "E minor"), ("ambient", 70.0, "C major"), ("electronica", 126.0, "G minor")),
    (("jazz", 140.0, "F major"), ("hiphop", 90.0, "A minor"), ("pop", 116.0, "D major")),
)


def build_synthetic_dataset(
    folder: str | os.PathLike[str],
    *,
    seconds: float = 24.0,
    renders: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the dataset into ``folder`` (existing files are kept); the audio files written.

    ``seconds`` is the length of each single-section file; spliced files have sections of
    ``seconds / 2`` and multi-region renders 12-s regions. ``renders=False`` leaves out the
    renderer's files (signals only).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def emit(name: str, make: Callable[[Path], None]) -> None:
        path = out / f"{name}.wav"
        if not path.exists():
            if progress is not None:
                progress(name)
            make(path)
        written.append(path)

    for bpm, tonic, mode in SIGNAL_TRACKS:
        emit(f"signals_{int(bpm)}bpm_{tonic.replace('#', 's')}_{mode}",
             partial(_write_groove, bpm=bpm, tonic=tonic, mode=mode, seconds=seconds))
    for layout in SPLICED_LAYOUTS:
        emit(f"signals_spliced_{layout}", partial(_write_spliced, layout=layout, section_seconds=seconds / 2))
    if renders:
        for index, (genre, bpm, key) in enumerate(RENDERS):
            emit(f"render_{genre}_{int(bpm)}bpm",
                 partial(_write_render, genre=genre, bpm=bpm, key=key, seconds=seconds, index=index))
        for index, regions in enumerate(MULTI_REGION):
            emit(f"render_regions_{index + 1}", partial(_write_regions, regions=regions, index=index))
    return written


def _write_groove(path: Path, bpm: float, tonic: str, mode: str, seconds: float) -> None:
    from mirloop.testing.signals import chord_progression, drum_pattern

    chord_seconds = 4 * 60.0 / bpm  # one chord per 4/4 bar
    chords = chord_progression(tonic, mode, chord_seconds=chord_seconds,
                               repeats=int(np.ceil(seconds / (4 * chord_seconds))) + 1)
    n = round(seconds * 22050)
    drums = drum_pattern(bpm, seconds).samples[:n]
    mix = 0.55 * chords[:n] / np.abs(chords).max() + 0.45 * drums
    _write(path, mix, 22050)
    _write_csv(path.with_suffix(".csv"), [("tempo", 0.0, seconds, f"{bpm:g}"),
                                          ("key", 0.0, seconds, f"{tonic}:{mode}"),
                                          ("segment", 0.0, seconds, "A")])


def _write_spliced(path: Path, layout: str, section_seconds: float) -> None:
    from mirloop.testing.signals import spliced_sections

    track = spliced_sections(layout, section_seconds=section_seconds)
    _write(path, track.audio.samples, track.audio.sr)
    edges = [0.0, *track.boundaries, track.audio.duration]
    rows = zip(edges[:-1], edges[1:], track.labels, strict=True)
    _write_csv(path.with_suffix(".csv"), [("segment", a, b, label) for a, b, label in rows])


def _descriptor(genre: str, index: int) -> str:
    from mirloop.catalog import load_catalog

    names = [n for n in load_catalog().names() if n.split("_")[0] == genre]
    return names[index % len(names)]


def _write_render(path: Path, genre: str, bpm: float, key: str, seconds: float, index: int) -> None:
    from mirloop.renderer.api import render_descriptor
    from mirloop.renderer.writers import write_render

    result = render_descriptor(_descriptor(genre, index), seconds, seed=index + 1, tempo=bpm, key=key)
    write_render(result, path)


def _write_regions(path: Path, regions: tuple[tuple[str, float, str], ...], index: int) -> None:
    from mirloop.renderer import render
    from mirloop.renderer.writers import write_render
    from mirloop.timeline import multi_region

    specs = [(12.0 * i, 12.0 * (i + 1), _descriptor(genre, index + i), bpm, key)
             for i, (genre, bpm, key) in enumerate(regions)]
    result = render(multi_region(specs, seed=index + 1), seed=index + 1)
    write_render(result, path)


def _write(path: Path, samples: np.ndarray, sr: int) -> None:
    from mirloop.renderer.writers import write_audio

    peak = float(np.abs(samples).max()) or 1.0
    write_audio(Audio((0.8 * samples / peak).astype(np.float32), sr, path.stem), path)


def _write_csv(path: Path, rows: list[tuple[str, float, float, str]]) -> None:
    from mirloop.io.atomic import write_text

    lines = ["kind,start,end,value", *(f"{k},{a:g},{b:g},{v}" for k, a, b, v in rows)]
    write_text(path, "\n".join(lines) + "\n")
