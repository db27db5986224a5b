"""Build the labelled real-music development set described by ``sources.toml``.

    python devsets/real_music/build.py --out DIR [--cache DIR] [--only NAME ...]

Fetches each pinned Debian package (``apt-get download``, kept in the cache), unpacks it, copies
the chosen music files to ``DIR/audio/<group>/``, renders the chosen music21 works, copies each
package's copyright file to ``DIR/licenses/`` and writes ``DIR/manifest.csv``. Every write goes
through a temporary file and a rename; a rerun reuses the cache and rewrites nothing that is
already identical. ``--only`` rebuilds the named packages or collections and keeps the other
rows of an existing manifest. Problems with one package are reported and the rest go on; the run
ends with a summary (and exit status 1 if any package failed).
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import soundfile as sf

if __package__ in (None, ""):  # run as a script: make the repository's devsets package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from devsets.common import BuildReport, cached_pair, sha256, slug, write_atomic
from devsets.real_music.debian_packages import (
    PackageError,
    Stanza,
    copyright_file,
    fetch_deb,
    license_for,
    parse_copyright,
    unpack_deb,
)
from devsets.real_music.manifest import Row, check_row, manifest_text, read_manifest
from devsets.real_music.modules import MODULE_SUFFIXES, openmpt_version, render_module
from devsets.real_music.renders import (
    RenderError,
    flac_bytes,
    music21_version,
    parse_work,
    render_events,
    score_events,
    work_title,
)
from devsets.real_music.sources import (
    PackageSource,
    ScoreSource,
    Sources,
    SourcesError,
    TrackRule,
    load_sources,
)
from mirloop.errors import MirloopError

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = Path.home() / ".cache" / "mirloop" / "real-dev"
#: Bump when the render code changes its output, so cached renders are made again.
RENDER_FORMAT = 1
#: Longest module render, in seconds (a module that loops forever is cut there).
MODULE_MAX_SECONDS = 600.0


@dataclass
class Report(BuildReport):
    """What a build did (:class:`BuildReport`) and what it could not do."""

    failures: list[str] = field(default_factory=list)
    skipped_short: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """A music file found in a package: its path below the package's root and how to read it."""

    relpath: str
    read: object  # () -> bytes

    def data(self) -> bytes:
        return self.read()  # type: ignore[operator]


def package_files(tree: Path, pkg: PackageSource) -> list[Candidate]:
    """Every file below the package's root (or in its archive), by path relative to the root."""
    root = tree / pkg.root
    if pkg.archive:
        archive = root / pkg.archive
        if not archive.is_file():
            raise PackageError(f"{pkg.name}: archive {pkg.root}/{pkg.archive} is not in the package")
        with zipfile.ZipFile(archive) as z:
            names = sorted(n for n in z.namelist() if not n.endswith("/"))

        def member(name: str) -> object:
            def read() -> bytes:
                with zipfile.ZipFile(archive) as z:
                    return z.read(name)

            return read

        return [Candidate(name, member(name)) for name in names]
    if not root.is_dir():
        raise PackageError(f"{pkg.name}: folder {pkg.root} is not in the package; fix 'root' in sources.toml")
    return [
        Candidate(p.relative_to(root).as_posix(), p.read_bytes)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


def select(pkg: PackageSource, files: list[Candidate], report: Report) -> list[tuple[Candidate, TrackRule]]:
    """The files the package's rules take, each with the rule that labels it."""
    chosen: dict[str, tuple[Candidate, TrackRule]] = {}
    kept = [f for f in files if not any(fnmatch.fnmatchcase(f.relpath, x) for x in pkg.exclude)]
    for rule in pkg.tracks:
        hits = [f for f in kept if fnmatch.fnmatchcase(f.relpath, rule.glob)]
        if not hits:
            report.warn(f"{pkg.name}: pattern {rule.glob!r} ({rule.label}) matched nothing")
        for hit in hits:
            before = chosen.get(hit.relpath)
            if before is not None and before[1].label != rule.label:
                raise SourcesError(
                    f"{pkg.name}: {hit.relpath} matches labels {before[1].label!r} and {rule.label!r}; "
                    "narrow one of the globs"
                )
            chosen.setdefault(hit.relpath, (hit, rule))
    for rule in pkg.unlabelled:
        hits = [f for f in kept if fnmatch.fnmatchcase(f.relpath, rule.glob)]
        if not hits:
            report.warn(f"{pkg.name}: unlabelled pattern {rule.glob!r} matched nothing")
        for hit in hits:
            chosen.setdefault(hit.relpath, (hit, rule))
    return [chosen[k] for k in sorted(chosen)]


@dataclass(frozen=True)
class OpenedPackage:
    """A fetched and unpacked package: its folder, its copyright file and that file's stanzas."""

    tree: Path
    copyright: bytes
    stanzas: tuple[Stanza, ...]


def open_package(cache: Path, pkg: PackageSource) -> OpenedPackage:
    """Fetch (into ``cache``) and unpack ``pkg``; :class:`PackageError` if apt cannot."""
    tree = unpack_deb(cache, fetch_deb(cache, pkg.name, pkg.version), pkg.name, pkg.version)
    text = copyright_file(tree, pkg.name).read_bytes()
    return OpenedPackage(tree, text, parse_copyright(text.decode("utf-8", errors="replace")))


def license_of(pkg: PackageSource, opened: OpenedPackage, relpath: str, rule: TrackRule) -> str:
    """The rule's license, else the copyright file's for ``relpath``, else the package's (may be ``""``)."""
    return rule.license or license_for(opened.stanzas, pkg.copyright_prefix + relpath) or pkg.license


def track_ids(group: str, relpaths: list[str]) -> dict[str, str]:
    """Stable ids ``<group>__<file stem>``; the whole relative path where two stems collide."""
    stems = {p: slug(Path(p).stem) for p in relpaths}
    counts: dict[str, int] = defaultdict(int)
    for stem in stems.values():
        counts[stem] += 1
    return {
        p: f"{group}__{stem if counts[stem] == 1 else slug(str(Path(p).with_suffix('')))}"
        for p, stem in stems.items()
    }


def build_package(pkg: PackageSource, sources: Sources, out: Path, cache: Path, report: Report) -> list[Row]:
    """Fetch, unpack and copy one package's music; its manifest rows."""
    print(f"[{pkg.name} {pkg.version}]", flush=True)
    opened = open_package(cache, pkg)
    if write_atomic(out / "licenses" / f"{pkg.name}.copyright", opened.copyright):
        report.written += 1
    picked = select(pkg, package_files(opened.tree, pkg), report)
    ids = track_ids(pkg.group, [c.relpath for c, _ in picked])
    rows = []
    for candidate, rule in picked:
        data = candidate.data()
        source = f"{pkg.name} {pkg.version}"
        suffix = Path(candidate.relpath).suffix.lower()
        if rule.kind == "module-render":
            if suffix not in MODULE_SUFFIXES:
                raise SourcesError(
                    f"{pkg.name}: {candidate.relpath} is not a tracker module "
                    f"({', '.join(MODULE_SUFFIXES)}); narrow the module-render glob"
                )
            try:
                data = cached_module_render(data, suffix, sources.sample_rate, cache)
            except RenderError as exc:
                report.warn(f"{pkg.name}: {candidate.relpath}: {exc}; skipped")
                continue
            source += f", rendered by openmpt123 {openmpt_version()}"
            suffix = ".flac"
        try:
            info = sf.info(io.BytesIO(data))
        except Exception as exc:  # libsndfile's errors are plain RuntimeErrors
            report.warn(f"{pkg.name}: {candidate.relpath} is not readable audio ({exc}); skipped")
            continue
        seconds = info.frames / info.samplerate
        if seconds < sources.min_seconds:
            report.skipped_short.append(f"{pkg.name}/{candidate.relpath} ({seconds:.1f} s)")
            continue
        license_name = license_of(pkg, opened, candidate.relpath, rule)
        if not license_name:
            raise SourcesError(
                f"{pkg.name}: the copyright file names no license for {candidate.relpath}; "
                "give the package a 'license' (and 'license_evidence') in sources.toml"
            )
        track_id = ids[candidate.relpath]
        rel = f"audio/{pkg.group}/{track_id.split('__', 1)[1]}{suffix}"
        report.wrote(write_atomic(out / rel, data))
        original = (
            f"{pkg.root}/{pkg.archive}!{candidate.relpath}"
            if pkg.archive
            else f"{pkg.root}/{candidate.relpath}"
        )
        rows.append(
            check_row(
                Row(
                    track_id=track_id,
                    path=rel,
                    coarse_label=rule.label,
                    group=pkg.group,
                    source=source,
                    kind=rule.kind,
                    license=license_name,
                    evidence=rule.evidence,
                    label_basis=rule.basis,
                    duration_s=f"{seconds:.2f}",
                    original_path=original,
                    sha256=sha256(data),
                    hint=rule.hint,
                )
            )
        )
    print(f"  {len(rows)} files ({sum(1 for r in rows if r.coarse_label)} labelled)", flush=True)
    return rows


def cached_module_render(data: bytes, suffix: str, sr: int, cache: Path) -> bytes:
    """FLAC bytes of a tracker module's render, kept in the cache under a key of all render inputs."""
    key = sha256(
        f"{RENDER_FORMAT}|openmpt123 {openmpt_version()}|{sha256(data)}|{suffix}|{sr}|"
        f"{MODULE_MAX_SECONDS}".encode()
    )[:24]
    flac = cache / "renders" / f"module-{key}.flac"
    if flac.is_file():
        return flac.read_bytes()
    rendered = render_module(data, suffix=suffix, sr=sr, max_seconds=MODULE_MAX_SECONDS)
    write_atomic(flac, rendered)
    return rendered


def score_track_id(score: ScoreSource, work: str) -> str:
    """``music21-<collection>__<work path below the collection>[_<piece number>]``."""
    path, _, number = work.partition("#")
    stem = str(Path(path.split("/", 1)[-1]).with_suffix(""))
    return f"{score.group}__{slug(stem)}" + (f"_{slug(number)}" if number else "")


def render_work(work: str, score: ScoreSource, sources: Sources, cache: Path) -> tuple[bytes, str]:
    """FLAC bytes and title of one rendered work, kept in the cache under a key of all render inputs."""
    soundfont = Path(sources.soundfont)
    size = soundfont.stat().st_size if soundfont.is_file() else -1
    key = sha256(
        f"{RENDER_FORMAT}|{music21_version()}|{work}|{soundfont}|{size}|{sources.sample_rate}|"
        f"{score.max_seconds}".encode()
    )[:24]

    def make() -> tuple[bytes, bytes]:
        parsed = parse_work(work)
        audio = render_events(
            score_events(parsed), soundfont=soundfont, sr=sources.sample_rate, max_seconds=score.max_seconds
        )
        return flac_bytes(audio, sources.sample_rate), work_title(parsed, work).encode("utf-8")

    data, title = cached_pair(cache / "renders" / f"{key}.flac", cache / "renders" / f"{key}.title", make)
    return data, title.decode("utf-8")


def build_scores(score: ScoreSource, sources: Sources, out: Path, cache: Path, report: Report) -> list[Row]:
    """Render one music21 collection's chosen works; their manifest rows."""
    version = music21_version()
    print(f"[music21 {version} {score.collection}]", flush=True)
    rows = []
    for work in score.works:
        track_id = score_track_id(score, work)
        rel = f"audio/{score.group}/{track_id.split('__', 1)[1]}.flac"
        try:
            data, title = render_work(work, score, sources, cache)
        except RenderError as exc:
            report.warn(f"music21 {score.collection}: {work}: {exc}; skipped")
            continue
        seconds = sf.info(io.BytesIO(data)).duration
        if seconds < sources.min_seconds:
            report.skipped_short.append(f"music21 {score.collection} {work} ({seconds:.1f} s)")
            continue
        report.wrote(write_atomic(out / rel, data))
        row = Row(
            track_id=track_id,
            path=rel,
            coarse_label=score.label,
            group=score.group,
            source=f"music21 {version} {score.collection}",
            kind="score-render",
            license=score.license or "music21 corpus (see music21/corpus/license.txt)",
            evidence=f"{score.evidence} Work: {work} ({title}).",
            label_basis="named",
            duration_s=f"{seconds:.2f}",
            original_path=work,
            sha256=sha256(data),
            hint=f"rendered with {Path(sources.soundfont).name} at {sources.sample_rate} Hz",
        )
        rows.append(check_row(row))
    print(f"  {len(rows)} renders", flush=True)
    return rows


def build(sources: Sources, out: Path, cache: Path, only: tuple[str, ...] = ()) -> tuple[list[Row], Report]:
    """Build the set into ``out``; the manifest rows and a report."""
    report = Report()
    names = {p.name for p in sources.packages} | {s.collection for s in sources.scores}
    unknown = sorted(set(only) - names)
    if unknown:
        raise SourcesError(
            f"--only: {', '.join(unknown)} not in sources.toml; known: {', '.join(sorted(names))}"
        )
    rebuilt: set[str] = set()
    failed: set[str] = set()
    rows: list[Row] = []
    for pkg in sources.packages:
        if only and pkg.name not in only:
            continue
        rebuilt.add(pkg.group)
        try:
            rows += build_package(pkg, sources, out, cache, report)
        except (PackageError, OSError, zipfile.BadZipFile) as exc:
            failed.add(pkg.group)
            report.failures.append(f"{pkg.name}: {exc}")
            print(f"  error: {exc}", flush=True)
    for score in sources.scores:
        if only and score.collection not in only:
            continue
        rebuilt.add(score.group)
        try:
            rows += build_scores(score, sources, out, cache, report)
        except RenderError as exc:
            failed.add(score.group)
            report.failures.append(f"music21 {score.collection}: {exc}")
            print(f"  error: {exc}", flush=True)
    # a group that failed keeps what an earlier build made of it (rows and audio): a rebuild where a
    # package cannot be fetched or music21 is missing must not delete what is there
    rebuilt -= failed
    rows += [
        r
        for r in read_manifest(out / "manifest.csv")
        if r.group not in rebuilt and (only or r.group in failed)
    ]
    if write_atomic(out / "manifest.csv", manifest_text(rows).encode("utf-8")):
        report.written += 1
    report.removed = remove_unlisted(out, rebuilt, rows)
    return rows, report


def remove_unlisted(out: Path, groups: set[str], rows: list[Row]) -> list[str]:
    """Delete audio files of the rebuilt ``groups`` that the manifest no longer lists."""
    listed = {row.path for row in rows}
    removed = []
    for group in sorted(groups):
        folder = out / "audio" / group
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            rel = path.relative_to(out).as_posix()
            if path.is_file() and rel not in listed:
                path.unlink()
                removed.append(rel)
    return removed


def summary(rows: list[Row]) -> Iterator[str]:
    """A Markdown table: tracks per label, label basis and kind, with total durations."""
    kinds = ("recording", "module-render", "score-render")
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    seconds: dict[tuple[str, str], float] = defaultdict(float)
    for row in rows:
        key = (row.coarse_label or "(unlabelled)", row.label_basis)
        table[key][row.kind] += 1
        seconds[key] += float(row.duration_s or 0)
    keys = sorted(k for k in table if k[0] != "(unlabelled)") + [k for k in table if k[0] == "(unlabelled)"]

    def line(name: str, basis: str, chosen: list[Row]) -> str:
        counts = [sum(r.kind == k for r in chosen) for k in kinds]
        minutes = sum(float(r.duration_s or 0) for r in chosen) / 60
        return f"| {name} | {basis} | " + " | ".join(map(str, counts)) + f" | {len(chosen)} | {minutes:.1f} |"

    yield "| label | basis | " + " | ".join(kinds) + " | total | minutes |"
    yield "|---|---|" + "---:|" * (len(kinds) + 2)
    for label, basis in keys:
        counts = [table[(label, basis)][k] for k in kinds]
        yield (
            f"| {label} | {basis} | "
            + " | ".join(map(str, counts))
            + f" | {sum(counts)} | {seconds[(label, basis)] / 60:.1f} |"
        )
    labelled = [r for r in rows if r.coarse_label]
    for basis in ("named", "context"):
        yield line("**labelled**", basis, [r for r in labelled if r.label_basis == basis])
    yield line("**labelled**", "all", labelled)
    yield line("**all**", "", rows)


def label_counts(rows: list[Row]) -> Iterator[str]:
    """A Markdown table: labelled tracks per label (all kinds, recordings only, named recordings)."""
    labels = sorted({r.coarse_label for r in rows if r.coarse_label})
    yield "| label | tracks | recordings | named recordings |"
    yield "|---|---:|---:|---:|"
    for label in labels:
        mine = [r for r in rows if r.coarse_label == label]
        recordings = [r for r in mine if r.kind == "recording"]
        named = [r for r in recordings if r.label_basis == "named"]
        yield f"| {label} | {len(mine)} | {len(recordings)} | {len(named)} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--out", required=True, type=Path, help="folder of the set (manifest.csv, audio/, licenses/)"
    )
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"download cache (default {DEFAULT_CACHE})"
    )
    parser.add_argument(
        "--only", nargs="+", default=(), help="rebuild only these packages / music21 collections"
    )
    parser.add_argument("--sources", type=Path, default=HERE / "sources.toml", help="the set's sources.toml")
    args = parser.parse_args(argv)
    try:
        sources = load_sources(args.sources)
        rows, report = build(sources, args.out, args.cache, tuple(args.only))
    except MirloopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print()
    print("\n".join(summary(rows)))
    print()
    print("\n".join(label_counts(rows)))
    print(
        f"\n{len(rows)} rows in {args.out / 'manifest.csv'}; {report.written} files written, "
        f"{report.unchanged} unchanged"
    )
    if report.removed:
        print(f"removed {len(report.removed)} audio file(s) the manifest no longer lists")
    if report.skipped_short:
        print(f"skipped, shorter than {sources.min_seconds:g} s: {len(report.skipped_short)}")
        for item in report.skipped_short:
            print(f"  {item}")
    if report.warnings:
        print(f"warnings: {len(report.warnings)}")
        for item in report.warnings:
            print(f"  {item}")
    if report.failures:
        print(f"FAILED: {len(report.failures)}")
        for item in report.failures:
            print(f"  {item}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
