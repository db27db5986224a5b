"""Build the annotated development sets: renders with exact key and tempo, real tracks spliced at known joins.

    python devsets/annotated/build.py --out DIR [--cache DIR] [--real-cache DIR]
                                      [--only compositions|spliced|modules|modulations|forms]

``DIR/compositions/``: music21 corpus tunes (see ``compositions.py``) transposed so that the keys
balance across the 12 tonics within each mode, each at a tempo drawn for it, through one of the
five General MIDI SoundFonts the renderer knows and one of several instrumentations.
``DIR/spliced/``: 3–5 chunks of different real recordings of the development set's Debian
packages (pinned in ``devsets/real_music/sources.toml``), joined at zero crossings with a short
crossfade (``splice.py``); every other file takes all its chunks from one package.
``DIR/modules/``: the tracker modules of those packages, each cut to its longest stretch at one
exact tempo (``tracker.py`` reads the playing tempo from libopenmpt while rendering).
``DIR/modulations/``: three parts joined like the spliced files, a tune, the same tune
transposed, then a tune of the other mode. ``DIR/forms/``: whole tunes of two or more strains
played as music21 writes their repeats out, a section per run of one strain (``forms.py``).

Each audio file has a JAMS sidecar of its stem (tempo, key, beats; or the spliced sections), so
``mirloop evaluate-backends DIR/compositions`` and ``DIR/spliced`` run on them as they are;
``DIR/manifest.csv`` lists every file with the evidence for its reference. Every draw is seeded
(``--seed``); renders are cached; every write goes through a temporary file and a rename, so a
rerun rewrites nothing that is identical and an interrupted build resumes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

if __package__ in (None, ""):  # run as a script: make the repository's devsets package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from devsets.annotated.annotation import annotation_bytes
from devsets.annotated.compositions import (
    ABC_FILES,
    DOUBLING_PROGRAMS,
    MELODY_PROGRAMS,
    TEMPO_RANGE,
    CheckedScore,
    TuneHeader,
    arrange,
    beat_times,
    check_score,
    corpus_file,
    key_name,
    scan_abc,
    with_tempo,
)
from devsets.annotated.forms import strain_of_measures, strain_sections
from devsets.annotated.splice import cut_chunk, splice, to_stereo_rate
from devsets.annotated.tracker import SteadyRun, beat_rows, library_version, play, steady_runs
from devsets.common import BuildReport, cached_pair, csv_text, read_csv_rows, sha256, slug, write_atomic
from devsets.real_music.build import DEFAULT_CACHE as REAL_CACHE
from devsets.real_music.build import OpenedPackage, license_of, open_package, package_files, select
from devsets.real_music.build import Report as RealReport
from devsets.real_music.debian_packages import PackageError
from devsets.real_music.renders import (
    RenderError,
    flac_bytes,
    music21_version,
    parse_work,
    render_events,
    score_events,
)
from devsets.real_music.sources import PackageSource, load_sources
from mirloop.errors import DatasetError, MirloopError
from mirloop.renderer.soundfont import GM_FONTS, installed_soundfonts
from mirloop.types.estimates import PITCH_CLASSES

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = Path.home() / ".cache" / "mirloop" / "annotated"
REAL_SOURCES = HERE.parent / "real_music" / "sources.toml"
#: Bump when the render or splice code changes its output, so cached renders are made again.
FORMAT = 1
SAMPLE_RATE = 44100
#: Longest composition render (s): the opening of each tune, faded out when cut.
MAX_SECONDS = 30.0
#: Shortest composition render (s) at its drawn tempo; shorter tunes are passed over.
MIN_SECONDS = 20.0
#: Shortest recording a chunk may come from (s).
MIN_RECORDING_SECONDS = 60.0
#: Packages never spliced (the allowed-sources list takes only one clip of frozen-bubble-data).
SPLICE_EXCLUDED = ("frozen-bubble-data",)
#: Shortest module excerpt (s) at one exact tempo; modules with no such stretch are passed over.
MIN_MODULE_SECONDS = 20.0
#: Fewest beats such a stretch holds (a row held at speed 255 lasts seconds but is no tempo).
MIN_MODULE_BEATS = 16
SUBSETS = ("compositions", "spliced", "modules", "modulations", "forms")


@dataclass(frozen=True)
class Row:
    """One file of the annotated sets."""

    track_id: str
    path: str
    annotation: str
    subset: str
    kind: str
    source: str
    license: str
    evidence: str
    key: str = ""
    tempo: str = ""
    boundaries: str = ""
    duration_s: str = ""
    sha256: str = ""
    details: str = ""


def rng_for(*parts: object) -> np.random.Generator:
    """A generator seeded by the hash of ``parts`` (the same draw on every machine and run)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def package_version(name: str) -> str:
    """The installed Debian package's version (``""`` when unknown)."""
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else ""


# ------------------------------------------------------------------------------------------------
# compositions
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """One composition render: the tune, its transposition, tempo, SoundFont and instruments."""

    header: TuneHeader
    checked: CheckedScore
    bpm: float
    font: str
    melody: int
    doubling: int | None
    semitones: int = 0

    @property
    def track_id(self) -> str:
        path, _, number = self.header.work.partition("#")
        return f"{slug(Path(path).stem)}_{number}"

    @property
    def key(self) -> str:
        return key_name(self.checked.tonic_pc + self.semitones, self.checked.mode)


#: Name of the beat by its length in quarter notes.
BEAT_NAMES = {1.0: "quarter", 2.0: "half", 1.5: "dotted quarter"}


def candidate_tunes(seed: int) -> list[TuneHeader]:
    """Every tune with a declared major or minor key, in the seeded order they are tried."""
    tunes = []
    for path in ABC_FILES:
        tunes += scan_abc(corpus_file(path).read_text(encoding="utf-8", errors="replace"), path)
    return sorted(tunes, key=lambda t: hashlib.sha256(f"{seed}|{t.work}".encode()).hexdigest())


def choose_pieces(seed: int, per_mode: int, report: BuildReport) -> list[Piece]:
    """``per_mode`` major and ``per_mode`` minor tunes, transposed so that each mode's tonics balance."""
    chosen: dict[str, list[Piece]] = {"major": [], "minor": []}
    for header in candidate_tunes(seed):
        mode = header.key.split(":")[1]
        if len(chosen[mode]) >= per_mode:
            if all(len(v) >= per_mode for v in chosen.values()):
                break
            continue
        try:
            checked = check_score(parse_work(header.work), header.key, header.work)
        except RenderError as exc:
            report.warn(f"passed over: {exc}")
            continue
        rng = rng_for(seed, "piece", header.work)
        low, high = TEMPO_RANGE[checked.beat_quarters]
        bpm = round(float(rng.uniform(low, high)) * 2) / 2
        if checked.quarters * 60.0 / (bpm * checked.beat_quarters) < MIN_SECONDS:
            continue
        doubling_choices = list(DOUBLING_PROGRAMS)
        chosen[mode].append(Piece(
            header, checked, bpm,
            font=GM_FONTS[int(rng.integers(len(GM_FONTS)))].name,
            melody=list(MELODY_PROGRAMS)[int(rng.integers(len(MELODY_PROGRAMS)))],
            doubling=doubling_choices[int(rng.integers(len(doubling_choices)))],
        ))  # fmt: skip
    pieces = []
    for mode, found in chosen.items():
        if len(found) < per_mode:
            report.warn(f"only {len(found)} {mode} tunes qualify, not {per_mode}")
        for i, piece in enumerate(sorted(found, key=lambda p: p.header.work)):
            shift = (i % 12 - piece.checked.tonic_pc + 6) % 12 - 6  # to tonic i mod 12, at most a tritone
            pieces.append(Piece(**{**piece.__dict__, "semitones": shift}))
    return pieces


def render_piece(
    piece: Piece, fonts: dict[str, Path], cache: Path, *, max_seconds: float = MAX_SECONDS
) -> tuple[bytes, float]:
    """FLAC bytes and length (s) of one piece (at most ``max_seconds``), kept in the cache under a
    key of every render input."""
    if piece.font not in fonts:
        package = next(f.package for f in GM_FONTS if f.name == piece.font)
        raise RenderError(f"SoundFont {piece.font} is not installed: apt-get install {package}")
    font = fonts[piece.font]
    key = sha256(
        f"{FORMAT}|{music21_version()}|{piece.header.work}|{piece.semitones}|{piece.bpm}|{font}|"
        f"{font.stat().st_size}|{piece.melody}|{piece.doubling}|{SAMPLE_RATE}|{max_seconds}".encode()
    )[:24]
    flac = cache / "renders" / f"{key}.flac"
    if flac.is_file():
        data = flac.read_bytes()
    else:
        score = with_tempo(piece.checked, semitones=piece.semitones, bpm=piece.bpm)
        events = arrange(score_events(score), melody=piece.melody, doubling=piece.doubling)
        audio = render_events(events, soundfont=font, sr=SAMPLE_RATE, max_seconds=max_seconds)
        data = flac_bytes(audio, SAMPLE_RATE)
        write_atomic(flac, data)
    return data, sf.info(io.BytesIO(data)).duration


def write_score_render(
    out: Path,
    report: BuildReport,
    piece: Piece,
    *,
    stem: str,
    subset: str,
    kind: str,
    data: bytes,
    jams: bytes,
    seconds: float,
    evidence: str,
    details: str,
    boundaries: str = "",
) -> Row:
    """Write one score render and its sidecar under ``out/stem``; its manifest row."""
    report.wrote(write_atomic(out / f"{stem}.flac", data))
    report.wrote(write_atomic(out / f"{stem}.jams", jams))
    return Row(
        track_id=piece.track_id, path=f"{stem}.flac", annotation=f"{stem}.jams", subset=subset, kind=kind,
        source=f"music21 {music21_version()} {piece.header.work.split('/')[0]}",
        license="music21 corpus (see licenses/music21-corpus-license.txt)", evidence=evidence,
        key=piece.key, tempo=f"{piece.bpm:g}", boundaries=boundaries, duration_s=f"{seconds:.2f}",
        sha256=sha256(data), details=details,
    )  # fmt: skip


def build_compositions(out: Path, cache: Path, seed: int, per_mode: int, report: BuildReport) -> list[Row]:
    version = music21_version()
    print(f"[compositions: music21 {version}, {per_mode} tunes per mode]", flush=True)
    fonts, _ = installed_soundfonts()
    font_versions = {f.name: f"{f.package} {package_version(f.package)}".strip() for f in GM_FONTS}
    rows = []
    for piece in choose_pieces(seed, per_mode, report):
        try:
            data, seconds = render_piece(piece, fonts, cache)
        except RenderError as exc:
            report.warn(f"{piece.header.work}: {exc}; skipped")
            continue
        stem = f"compositions/{piece.track_id}"
        beats = beat_times(piece.checked, bpm=piece.bpm, end=seconds)
        beat_name = BEAT_NAMES[piece.checked.beat_quarters]
        instruments = MELODY_PROGRAMS[piece.melody] + (
            f" doubled an octave below by {DOUBLING_PROGRAMS[piece.doubling]}"
            if piece.doubling is not None
            else ""
        )
        details = (
            f"font {piece.font} ({font_versions[piece.font]}); {instruments}; "
            f"meter {piece.checked.meter}, beat = {beat_name}; {len(beats)} beats"
        )
        jams = annotation_bytes(
            title=piece.header.title or piece.header.work,
            duration=seconds,
            tempo=piece.bpm,
            key=piece.key,
            beats=beats,
            sandbox={"work": piece.header.work, "transpose_semitones": piece.semitones, "details": details},
        )
        original = key_name(piece.checked.tonic_pc, piece.checked.mode)
        evidence = (
            f"{piece.header.work} '{piece.header.title}': ABC header declares {original} "
            f"(M:{piece.header.meter}); music21 finds one key signature and one meter, and the "
            f"last note is the tonic. Transposed {piece.semitones:+d} semitones; the render's "
            f"only metronome mark is {piece.bpm:g} {beat_name} beats per minute."
        )
        rows.append(write_score_render(
            out, report, piece, stem=stem, subset="compositions", kind="score-render", data=data, jams=jams,
            seconds=seconds, evidence=evidence, details=details,
        ))  # fmt: skip
    license_text = (corpus_file(ABC_FILES[0]).parents[1] / "license.txt").read_bytes()
    report.wrote(write_atomic(out / "licenses" / "music21-corpus-license.txt", license_text))
    print(f"  {len(rows)} renders", flush=True)
    return rows


# ------------------------------------------------------------------------------------------------
# modulations: one tune in two keys, then another tune in the other mode
# ------------------------------------------------------------------------------------------------

#: Key changes by transposition, in semitones: up a semitone or a tone (the pop "truck driver's"
#: change), down a tone, to the subdominant and the dominant.
MODULATION_STEPS = (1, 2, -2, 5, 7)
#: Length of each part of a modulating file, s (drawn; each part is the opening of a render).
PART_SECONDS = (16.0, 28.0)


def modulation_parts(pieces: list[Piece], seed: int, i: int) -> list[tuple[Piece, str]]:
    """The three parts of modulating file ``i``: a tune, the same tune transposed by a step of
    :data:`MODULATION_STEPS`, then a tune of the other mode in the relative or parallel key of the
    second part, played by the first tune's SoundFont and instruments; each with how it relates."""
    rng = rng_for(seed, "modulation", i)
    first = pieces[int(rng.integers(len(pieces)))]
    step = int(MODULATION_STEPS[int(rng.integers(len(MODULATION_STEPS)))])
    shifted = min((first.semitones + step + k for k in (-12, 0, 12)), key=abs)
    second = Piece(**{**first.__dict__, "semitones": shifted})
    tonic = (second.checked.tonic_pc + shifted) % 12
    others = [p for p in pieces if p.checked.mode != first.checked.mode]
    other = others[int(rng.integers(len(others)))]
    relative = bool(rng.integers(2))  # relative: C major -> A minor, A minor -> C major
    target = (tonic + (-3 if first.checked.mode == "major" else 3)) % 12 if relative else tonic
    third = Piece(**{**other.__dict__, "font": first.font, "melody": first.melody,
                     "doubling": first.doubling,
                     "semitones": (target - other.checked.tonic_pc + 6) % 12 - 6})  # fmt: skip
    third_relation = "relative" if relative else "parallel"
    return [(first, "tune"), (second, f"transposed {step:+d}"), (third, third_relation)]


def build_modulations(
    out: Path, cache: Path, seed: int, per_mode: int, count: int, report: BuildReport
) -> list[Row]:
    print(f"[modulations: {count} files, one tune in two keys, then a tune in the other mode]", flush=True)
    fonts, _ = installed_soundfonts()
    pieces = [p for p in choose_pieces(seed, per_mode, report) if p.font in fonts]
    version = music21_version()
    rows = []
    for i in range(count):
        parts = modulation_parts(pieces, seed, i)
        rng = rng_for(seed, "modulation-lengths", i)
        chunks, described = [], []
        try:
            for piece, relation in parts:
                data, seconds = render_piece(piece, fonts, cache)
                audio, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
                length = float(rng.uniform(PART_SECONDS[0], min(PART_SECONDS[1], seconds - 0.5)))
                chunks.append(cut_chunk(to_stereo_rate(audio, sr, target_sr=SAMPLE_RATE), SAMPLE_RATE,
                                        start=0.05, length=length))  # fmt: skip
                described.append(f"{piece.header.work} in {piece.key} ({relation}) for {length:.2f} s")
        except (RenderError, DatasetError) as exc:
            report.warn(f"modulation {i}: {exc}; skipped")
            continue
        audio, bounds = splice(chunks, SAMPLE_RATE)
        seconds = len(audio) / SAMPLE_RATE
        edges = [0.0, *bounds, seconds]
        keys = [piece.key for piece, _ in parts]
        step = parts[1][1].split()[1]
        track_id = f"modulation_{i:02d}_{'up' if step[0] == '+' else 'down'}{step[1:]}_{parts[2][1]}"
        stem = f"modulations/{track_id}"
        data = flac_bytes(audio, SAMPLE_RATE)
        jams = annotation_bytes(
            title=track_id, duration=seconds,
            key_regions=[(edges[j], edges[j + 1], keys[j]) for j in range(3)],
            segments=[(edges[0], edges[1], "A"), (edges[1], edges[2], "A'"), (edges[2], edges[3], "B")],
            sandbox={"parts": described},
        )  # fmt: skip
        report.wrote(write_atomic(out / f"{stem}.flac", data))
        report.wrote(write_atomic(out / f"{stem}.jams", jams))
        first = parts[0][0]
        rows.append(Row(
            track_id=track_id, path=f"{stem}.flac", annotation=f"{stem}.jams", subset="modulations",
            kind="score-render-medley", source=f"music21 {version}",
            license="music21 corpus (see licenses/music21-corpus-license.txt)",
            evidence="Parts, in order: " + "; ".join(described) + ". Each part is the opening of a "
                     "composition render (its key exact by construction, see compositions), joined at "
                     "zero crossings with a 20-ms crossfade; each key change is the middle of its crossfade.",
            key=" ".join(f"{k}@{t:.2f}" for k, t in zip(keys, edges)),
            boundaries=" ".join(f"{b:.4f}" for b in bounds), duration_s=f"{seconds:.2f}",
            sha256=sha256(data), details=f"font {first.font}; {MELODY_PROGRAMS[first.melody]}",
        ))  # fmt: skip
    print(f"  {len(rows)} modulating files", flush=True)
    return rows


# ------------------------------------------------------------------------------------------------
# forms: whole tunes of two or more strains, with the time of each strain
# ------------------------------------------------------------------------------------------------

#: Longest form render (s); a tune that plays longer is cut (and faded) there.
MAX_FORM_SECONDS = 90.0
#: Shortest form render (s): shorter tunes are passed over.
MIN_FORM_SECONDS = 30.0


def choose_forms(seed: int, count: int, report: BuildReport) -> list[tuple[Piece, dict[int, int]]]:
    """``count`` tunes of two or more strains (``forms.py``), each with its drawn tempo, key,
    SoundFont and instruments, and the strain of each of its measures."""
    chosen: list[tuple[Piece, dict[int, int]]] = []
    passed_over: Counter[str] = Counter()
    for header in candidate_tunes(seed + 1):  # another order than the compositions'
        if len(chosen) >= count:
            break
        why = "music21 cannot read it"
        try:
            score = parse_work(header.work)
            why = "not two strains between plain repeat signs"
            strains = strain_of_measures(score, header.work)
            why = "fails the compositions' key, meter or final-note check"
            checked = check_score(score, header.key, header.work)
        except RenderError:
            passed_over[why] += 1
            continue
        rng = rng_for(seed, "form", header.work)
        low, high = TEMPO_RANGE[checked.beat_quarters]
        bpm = round(float(rng.uniform(low, high)) * 2) / 2
        seconds = checked.quarters * 60.0 / (bpm * checked.beat_quarters)
        if seconds < MIN_FORM_SECONDS:
            continue
        doubling_choices = list(DOUBLING_PROGRAMS)
        piece = Piece(
            header, checked, bpm,
            font=GM_FONTS[int(rng.integers(len(GM_FONTS)))].name,
            melody=list(MELODY_PROGRAMS)[int(rng.integers(len(MELODY_PROGRAMS)))],
            doubling=doubling_choices[int(rng.integers(len(doubling_choices)))],
            semitones=int(rng.integers(-5, 7)),
        )  # fmt: skip
        chosen.append((piece, strains))
    if passed_over:
        print(
            "  passed over: " + ", ".join(f"{n} × {why}" for why, n in passed_over.most_common()), flush=True
        )
    if len(chosen) < count:
        report.warn(f"forms: only {len(chosen)} tunes of two or more strains qualify, not {count}")
    return chosen


def build_forms(out: Path, cache: Path, seed: int, count: int, report: BuildReport) -> list[Row]:
    print(f"[forms: {count} whole tunes of two or more strains, at most {MAX_FORM_SECONDS:g} s]", flush=True)
    music21_version()  # a clear error now when music21 is missing
    fonts, _ = installed_soundfonts()
    rows = []
    for piece, strains in choose_forms(seed, count, report):
        try:
            data, seconds = render_piece(piece, fonts, cache, max_seconds=MAX_FORM_SECONDS)
        except RenderError as exc:
            report.warn(f"{piece.header.work}: {exc}; skipped")
            continue
        seconds_per_quarter = 60.0 / (piece.bpm * piece.checked.beat_quarters)
        try:
            sections = strain_sections(
                piece.checked.score, strains, seconds_per_quarter=seconds_per_quarter, end=seconds
            )
        except RenderError as exc:
            report.warn(f"{piece.header.work}: {exc}; skipped")
            continue
        if len(sections) < 2:
            report.warn(f"{piece.header.work}: one section in the first {seconds:.0f} s; skipped")
            continue
        stem = f"forms/{piece.track_id}"
        form = " ".join(label for _, _, label in sections)
        details = (
            f"font {piece.font}; {MELODY_PROGRAMS[piece.melody]}"
            + (f" doubled by {DOUBLING_PROGRAMS[piece.doubling]}" if piece.doubling is not None else "")
            + f"; meter {piece.checked.meter}, beat = {BEAT_NAMES[piece.checked.beat_quarters]}"
            + f"; sections {form}"
        )
        jams = annotation_bytes(
            title=piece.header.title or piece.header.work,
            duration=seconds,
            tempo=piece.bpm,
            key=piece.key,
            beats=beat_times(piece.checked, bpm=piece.bpm, end=seconds),
            segments=sections,
            sandbox={"work": piece.header.work, "transpose_semitones": piece.semitones, "details": details},
        )
        evidence = (
            f"{piece.header.work} '{piece.header.title}': {len(set(strains.values()))} strains "
            f"between repeat signs; music21 writes the repeats out and the render plays them "
            f"in that order at one tempo ({piece.bpm:g} BPM), so each section (a run of "
            f"measures of one strain) starts exactly at its first measure."
        )
        rows.append(write_score_render(
            out, report, piece, stem=stem, subset="forms", kind="score-render-form", data=data, jams=jams,
            seconds=seconds, evidence=evidence, details=details,
            boundaries=" ".join(f"{start:.4f}" for start, _, _ in sections[1:]),
        ))  # fmt: skip
    print(f"  {len(rows)} forms", flush=True)
    return rows


# ------------------------------------------------------------------------------------------------
# spliced real tracks
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    """A real recording a chunk may come from."""

    package: str
    version: str
    relpath: str
    file: Path
    seconds: float
    license: str

    @property
    def track_id(self) -> str:
        return f"{self.package}__{slug(Path(self.relpath).stem)}"


def opened_packages(
    real_cache: Path, out: Path, report: BuildReport, *, keep: Callable[[PackageSource], bool], unused: str
) -> Iterator[tuple[PackageSource, OpenedPackage]]:
    """Each package of the development set's sources that ``keep`` accepts (archives left out),
    opened from ``real_cache``, its copyright copied to ``out/licenses/``; a package that cannot
    be opened is reported (its files ``unused``) and passed over."""
    for pkg in load_sources(REAL_SOURCES).packages:
        if pkg.archive or not keep(pkg):
            continue
        try:
            opened = open_package(real_cache, pkg)
        except PackageError as exc:
            report.warn(f"{pkg.name}: {exc}; its files are {unused}")
            continue
        report.wrote(write_atomic(out / "licenses" / f"{pkg.name}.copyright", opened.copyright))
        yield pkg, opened


def recordings(real_cache: Path, out: Path, report: BuildReport) -> list[Recording]:
    """Every recording of at least :data:`MIN_RECORDING_SECONDS` the development set's packages ship."""
    found = []
    packages = opened_packages(
        real_cache, out, report, keep=lambda pkg: pkg.name not in SPLICE_EXCLUDED, unused="not spliced"
    )
    for pkg, opened in packages:
        quiet = RealReport()  # the real-music build reports its own pattern warnings
        for candidate, rule in select(pkg, package_files(opened.tree, pkg), quiet):
            if rule.kind != "recording":
                continue
            path = opened.tree / pkg.root / candidate.relpath
            try:
                seconds = sf.info(str(path)).duration
            except Exception:  # libsndfile's errors are plain RuntimeErrors
                continue
            if seconds >= MIN_RECORDING_SECONDS:
                license_name = license_of(pkg, opened, candidate.relpath, rule)
                found.append(Recording(pkg.name, pkg.version, candidate.relpath, path, seconds, license_name))
    return found


def read_chunk(rec: Recording, rng: np.random.Generator) -> tuple[np.ndarray, float, float]:
    """A levelled chunk of ``rec`` (not silent), its drawn start and length (s)."""
    for _ in range(8):
        length = float(rng.uniform(12.0, 24.0))
        start = float(rng.uniform(max(5.0, 0.1 * rec.seconds), rec.seconds - length - 5.0))
        with sf.SoundFile(str(rec.file)) as handle:
            sr = handle.samplerate
            first = max(int((start - 1.0) * sr), 0)
            handle.seek(first)
            raw = handle.read(int((length + 2.0) * sr), dtype="float32", always_2d=True)
        audio = to_stereo_rate(raw, sr, target_sr=SAMPLE_RATE)
        if float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) < 0.003:
            continue  # about -50 dBFS: a pause; draw again
        offset = start - first / sr
        return cut_chunk(audio, SAMPLE_RATE, start=offset, length=length), start, length
    raise DatasetError(f"{rec.track_id}: no chunk above -50 dBFS in 8 draws")


def build_spliced(out: Path, real_cache: Path, seed: int, count: int, report: BuildReport) -> list[Row]:
    print(f"[spliced: {count} files from the real-music packages]", flush=True)
    pool = recordings(real_cache, out, report)
    by_package: dict[str, list[Recording]] = {}
    for rec in pool:
        by_package.setdefault(rec.package, []).append(rec)
    print(f"  {len(pool)} recordings of {MIN_RECORDING_SECONDS:g} s or more in {len(by_package)} packages")
    used: set[str] = set()
    rows = []
    for i in range(count):
        rng = rng_for(seed, "spliced", i)
        n = int(rng.integers(3, 6))
        same = i % 2 == 0

        def fresh(recs: list[Recording]) -> list[Recording]:
            unused = [r for r in recs if r.track_id not in used]
            return unused if unused else recs

        if same:
            eligible = sorted(p for p, recs in by_package.items() if len(fresh(recs)) >= n)
            package = eligible[int(rng.integers(len(eligible)))]
            options = fresh(by_package[package])
            picks = [options[j] for j in rng.choice(len(options), size=n, replace=False)]
        else:
            packages = sorted(by_package)
            picks = [
                fresh(by_package[p])[int(rng.integers(len(fresh(by_package[p]))))]
                for p in (packages[j] for j in rng.choice(len(packages), size=n, replace=False))
            ]
        used.update(r.track_id for r in picks)
        chunks, parts = [], []
        for rec in picks:
            chunk, start, length = read_chunk(rec, rng)
            chunks.append(chunk)
            parts.append(f"{rec.package} {rec.version}:{rec.relpath} from {start:.2f} s for {length:.2f} s")
        audio, bounds = splice(chunks, SAMPLE_RATE)
        seconds = len(audio) / SAMPLE_RATE
        edges = [0.0, *bounds, seconds]
        segments = [(edges[j], edges[j + 1], picks[j].track_id) for j in range(n)]
        track_id = f"spliced_{i:02d}_{'same' if same else 'cross'}_{n}"
        stem = f"spliced/{track_id}"
        data = flac_bytes(audio, SAMPLE_RATE)
        report.wrote(write_atomic(out / f"{stem}.flac", data))
        report.wrote(
            write_atomic(
                out / f"{stem}.jams",
                annotation_bytes(
                    title=track_id, duration=seconds, segments=segments, sandbox={"chunks": parts}
                ),
            )
        )
        rows.append(Row(
            track_id=track_id, path=f"{stem}.flac", annotation=f"{stem}.jams", subset="spliced",
            kind="splice", source=" + ".join(sorted({f"{r.package} {r.version}" for r in picks})),
            license="; ".join(f"{r.track_id}: {r.license}" for r in picks),
            evidence="Chunks, in order: " + "; ".join(parts) + ". Joined at zero crossings with a "
                     "20-ms crossfade; each boundary is the middle of its crossfade.",
            boundaries=" ".join(f"{b:.4f}" for b in bounds), duration_s=f"{seconds:.2f}",
            sha256=sha256(data), details=f"{'same-source' if same else 'cross-source'}, {n} chunks",
        ))  # fmt: skip
    print(f"  {len(rows)} spliced files", flush=True)
    return rows


# ------------------------------------------------------------------------------------------------
# tracker modules at their exact tempo
# ------------------------------------------------------------------------------------------------


def module_files(real_cache: Path, out: Path, report: BuildReport) -> list[Recording]:
    """Every tracker module the real-music set renders (``kind = "module-render"``, duplicates excluded)."""
    found = []

    def has_modules(pkg: PackageSource) -> bool:
        return any(r.kind == "module-render" for r in (*pkg.tracks, *pkg.unlabelled))

    for pkg, opened in opened_packages(real_cache, out, report, keep=has_modules, unused="not rendered"):
        for candidate, rule in select(pkg, package_files(opened.tree, pkg), RealReport()):
            if rule.kind == "module-render":
                path = opened.tree / pkg.root / candidate.relpath
                license_name = license_of(pkg, opened, candidate.relpath, rule)
                found.append(Recording(pkg.name, pkg.version, candidate.relpath, path, 0.0, license_name))
    return found


def module_excerpt(data: bytes) -> tuple[bytes, dict[str, Any]]:
    """FLAC bytes of a module's longest stretch at one exact tempo (at most 30 s) and its annotation.

    Raises :class:`RenderError` when no stretch of :data:`MIN_MODULE_SECONDS` keeps one timing.
    """
    playback = play(data, sr=SAMPLE_RATE)
    runs = [
        r
        for r in steady_runs(playback)
        if r.end - r.start >= MIN_MODULE_SECONDS and len(r.rows) >= MIN_MODULE_BEATS * r.rows_per_beat
    ]
    timings = sorted({(r.speed, r.tempo) for r in playback.rows})
    if not runs:
        raise RenderError(
            f"no {MIN_MODULE_SECONDS:g}-s stretch of {MIN_MODULE_BEATS} beats at one exact tempo "
            f"(speed, tempo played: {timings[:8]})"
        )
    run: SteadyRun = max(runs, key=lambda r: (len(r.rows), -r.start))
    first = next(i for i, r in enumerate(run.rows) if r.row % run.rows_per_beat == 0)
    rows_in = min(len(run.rows) - first, int(MAX_SECONDS * SAMPLE_RATE / run.row_samples))
    start_s, end_s = run.row_time(first), run.row_time(first + rows_in)
    audio = playback.audio[round(start_s * SAMPLE_RATE) : round(end_s * SAMPLE_RATE)].astype(np.float64)
    ramp = int(0.01 * SAMPLE_RATE)  # 10 ms in, against a click where the excerpt cuts into sound
    audio[:ramp] *= np.linspace(0.0, 1.0, ramp)[:, None]
    if end_s < len(playback.audio) / SAMPLE_RATE - 0.5:
        fade = int(2.0 * SAMPLE_RATE)  # cut before the module's end: faded over the last 2 s
        audio[-fade:] *= np.linspace(1.0, 0.0, fade)[:, None]
    if not np.abs(audio).max() > 1e-4:
        raise RenderError("the excerpt at one exact tempo is silent")
    excerpt = run.rows[first : first + rows_in]
    index = {id(r): i for i, r in enumerate(run.rows)}
    beats = [
        (run.row_time(index[id(r)]) - start_s, (r.row // run.rows_per_beat) % 4 + 1)
        for r in beat_rows(run)
        if first <= index[id(r)] < first + rows_in
    ]
    info = {
        "bpm": round(run.bpm, 4),
        "nominal_bpm": round(run.nominal_bpm, 4),
        "speed": run.speed,
        "tempo": run.tempo,
        "rows_per_beat": run.rows_per_beat,
        "start_s": round(start_s, 4),
        "rows": len(excerpt),
        "orders": sorted({r.order for r in excerpt}),
        "beats": [[round(t, 6), p] for t, p in beats],
        "timings_played": [list(t) for t in timings],
        "module_seconds": round(len(playback.audio) / SAMPLE_RATE, 2),
        "type": playback.metadata["type"],
        "tracker": playback.metadata["tracker"],
        "title": playback.metadata["title"],
    }
    return flac_bytes(audio.clip(-1.0, 1.0).astype(np.float32), SAMPLE_RATE), info


def cached_module_excerpt(data: bytes, cache: Path) -> tuple[bytes, dict[str, Any]]:
    """:func:`module_excerpt`, kept in the cache under the module's hash and the render's inputs."""
    key = sha256(
        f"{FORMAT}|module 2|{library_version()}|{sha256(data)}|{SAMPLE_RATE}|{MAX_SECONDS}|"
        f"{MIN_MODULE_SECONDS}|{MIN_MODULE_BEATS}".encode()
    )[:24]

    def make() -> tuple[bytes, bytes]:
        audio, info = module_excerpt(data)
        return audio, json.dumps(info, sort_keys=True).encode()

    audio, meta = cached_pair(cache / "modules" / f"{key}.flac", cache / "modules" / f"{key}.json", make)
    info: dict[str, Any] = json.loads(meta)
    return audio, info


def build_modules(out: Path, real_cache: Path, cache: Path, report: BuildReport) -> list[Row]:
    print(f"[modules: libopenmpt {library_version()}, each at one exact tempo]", flush=True)
    rows = []
    for module in module_files(real_cache, out, report):
        try:
            data, info = cached_module_excerpt(module.file.read_bytes(), cache)
        except RenderError as exc:
            report.warn(f"{module.package}:{module.relpath}: {exc}; passed over")
            continue
        seconds = sf.info(io.BytesIO(data)).duration
        stem = f"modules/{module.track_id}"
        beats = [(float(t), int(p)) for t, p in info["beats"]]
        details = (
            f"{info['type']} ({info['tracker']}), libopenmpt {library_version()}; speed {info['speed']}, "
            f"tempo {info['tempo']}, {info['rows_per_beat']} rows per beat; from {info['start_s']:.2f} s of "
            f"{info['module_seconds']:.0f} s, {info['rows']} rows; {len(beats)} beats"
        )
        jams = annotation_bytes(
            title=info["title"] or module.relpath, duration=seconds, tempo=info["bpm"], beats=beats,
            sandbox={"module": f"{module.package} {module.version}:{module.relpath}", "details": details},
        )  # fmt: skip
        report.wrote(write_atomic(out / f"{stem}.flac", data))
        report.wrote(write_atomic(out / f"{stem}.jams", jams))
        rows.append(Row(
            track_id=module.track_id, path=f"{stem}.flac", annotation=f"{stem}.jams", subset="modules",
            kind="module-render", source=f"{module.package} {module.version}", license=module.license,
            evidence=(f"{module.relpath} played by libopenmpt {library_version()}: every row of the excerpt "
                      f"(orders {info['orders'][0]}-{info['orders'][-1]}) plays at speed {info['speed']}, "
                      f"tempo {info['tempo']} and lasts exactly {info['speed']} classic ticks; beat = "
                      f"{info['rows_per_beat']} rows, {info['bpm']:g} BPM (nominal "
                      f"{info['nominal_bpm']:g} = tempo x 6 / speed x 4 / rows per beat)."),
            tempo=f"{info['bpm']:g}", duration_s=f"{seconds:.2f}", sha256=sha256(data), details=details,
        ))  # fmt: skip
    print(f"  {len(rows)} module excerpts", flush=True)
    return rows


# ------------------------------------------------------------------------------------------------
# manifest and summary
# ------------------------------------------------------------------------------------------------


def manifest_text(rows: list[Row]) -> str:
    """The CSV text of ``rows``, by subset and track."""
    return csv_text(Row, sorted(rows, key=lambda r: (r.subset, r.track_id)))


def remove_unlisted(out: Path, subsets: set[str], rows: list[Row]) -> int:
    listed = {r.path for r in rows} | {r.annotation for r in rows}
    removed = 0
    for subset in subsets:
        folder = out / subset
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if (
                path.is_file()
                and path.suffix in (".flac", ".jams")
                and path.relative_to(out).as_posix() not in listed
            ):
                path.unlink()
                removed += 1
    return removed


def summary(rows: list[Row]) -> Iterator[str]:
    """Markdown tables: keys per tonic and mode, tempi, fonts; spliced files by kind and chunks."""
    comps = [r for r in rows if r.subset == "compositions"]
    if comps:
        keys = Counter(tuple(r.key.split(":")) for r in comps)
        tonics = sorted({t for t, _ in keys}, key=lambda t: PITCH_CLASSES.index(t))
        yield "| mode | " + " | ".join(tonics) + " | total |"
        yield "|---|" + "---:|" * (len(tonics) + 1)
        for mode in ("major", "minor"):
            counts = [keys[(t, mode)] for t in tonics]
            yield f"| {mode} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |"
        tempi = [float(r.tempo) for r in comps]
        minutes = sum(float(r.duration_s) for r in comps) / 60
        fonts = Counter(r.details.split(" (")[0].removeprefix("font ") for r in comps)
        yield ""
        yield (
            f"{len(comps)} compositions, {minutes:.1f} min; tempo {min(tempi):g}–{max(tempi):g} BPM "
            f"(median {float(np.median(tempi)):g}); fonts: "
            + ", ".join(f"{k} {v}" for k, v in sorted(fonts.items()))
        )
    modules = [r for r in rows if r.subset == "modules"]
    if modules:
        tempi = [float(r.tempo) for r in modules]
        per_beat = Counter(r.details.split(" rows per beat")[0].rsplit(", ", 1)[1] for r in modules)
        yield ""
        yield (
            f"{len(modules)} module excerpts, {sum(float(r.duration_s) for r in modules) / 60:.1f} min; "
            f"tempo {min(tempi):g}–{max(tempi):g} BPM (median {float(np.median(tempi)):g}); "
            + ", ".join(f"{v} from {k}" for k, v in sorted(Counter(r.source for r in modules).items()))
            + "; rows per beat: "
            + ", ".join(f"{k}: {v}" for k, v in sorted(per_beat.items()))
        )
    modulating = [r for r in rows if r.subset == "modulations"]
    if modulating:
        kinds = Counter(r.track_id.split("_", 2)[2] for r in modulating)
        minutes = sum(float(r.duration_s) for r in modulating) / 60
        yield ""
        yield (
            f"{len(modulating)} modulating files, {minutes:.1f} min, {2 * len(modulating)} key changes: "
            + ", ".join(f"{v} × {k}" for k, v in sorted(kinds.items()))
        )
    forms = [r for r in rows if r.subset == "forms"]
    if forms:
        shapes = Counter(r.details.split("sections ")[1] for r in forms)
        yield ""
        yield (
            f"{len(forms)} forms, {sum(float(r.duration_s) for r in forms) / 60:.1f} min, "
            f"{sum(len(r.boundaries.split()) for r in forms)} inner boundaries; sections: "
            + ", ".join(f"{v} × {k}" for k, v in shapes.most_common(4))
            + (f", {len(forms) - sum(v for _, v in shapes.most_common(4))} other" if len(shapes) > 4 else "")
        )
    spliced = [r for r in rows if r.subset == "spliced"]
    if spliced:
        kinds = Counter(r.details for r in spliced)
        minutes = sum(float(r.duration_s) for r in spliced) / 60
        yield ""
        yield (
            f"{len(spliced)} spliced files, {minutes:.1f} min, "
            f"{sum(len(r.boundaries.split()) for r in spliced)} inner boundaries: "
            + ", ".join(f"{v} × {k}" for k, v in sorted(kinds.items()))
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", required=True, type=Path, help="folder of the sets")
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"render cache (default {DEFAULT_CACHE})"
    )
    parser.add_argument(
        "--real-cache",
        type=Path,
        default=REAL_CACHE,
        help=f"the real-music set's package cache (default {REAL_CACHE})",
    )
    parser.add_argument(
        "--only", choices=SUBSETS, action="append", help="build only this subset (repeatable)"
    )
    parser.add_argument("--seed", type=int, default=17, help="seed of every draw (default 17)")
    parser.add_argument("--per-mode", type=int, default=80, help="compositions per mode (default 80)")
    parser.add_argument("--spliced", type=int, default=40, help="number of spliced files (default 40)")
    parser.add_argument("--modulations", type=int, default=40, help="number of modulating files (default 40)")
    parser.add_argument(
        "--forms", type=int, default=60, help="number of whole tunes with strains (default 60)"
    )
    args = parser.parse_args(argv)
    only = set(args.only or SUBSETS)
    report = BuildReport()
    try:
        rows = [r for r in read_csv_rows(args.out / "manifest.csv", Row) if r.subset not in only]
        if "compositions" in only:
            rows += build_compositions(args.out, args.cache, args.seed, args.per_mode, report)
        if "spliced" in only:
            rows += build_spliced(args.out, args.real_cache, args.seed, args.spliced, report)
        if "modules" in only:
            rows += build_modules(args.out, args.real_cache, args.cache, report)
        if "modulations" in only:
            rows += build_modulations(
                args.out, args.cache, args.seed, args.per_mode, args.modulations, report
            )
        if "forms" in only:
            rows += build_forms(args.out, args.cache, args.seed, args.forms, report)
    except MirloopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report.wrote(write_atomic(args.out / "manifest.csv", manifest_text(rows).encode("utf-8")))
    removed = remove_unlisted(args.out, only, rows)
    print()
    print("\n".join(summary(rows)))
    print(
        f"\n{len(rows)} rows in {args.out / 'manifest.csv'}; {report.written} files written, "
        f"{report.unchanged} unchanged" + (f", {removed} unlisted removed" if removed else "")
    )
    if report.warnings:
        print(f"warnings: {len(report.warnings)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
