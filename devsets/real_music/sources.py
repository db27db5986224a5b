"""What the real-music development set takes from where: ``sources.toml`` read and checked.

A package entry names the Debian package and its pinned version, the folder (or zip archive inside
the package) that holds its music, and which files to take:

* ``tracks``: labelled files, each pattern with a coarse label and the evidence for it;
* ``unlabelled``: files taken without a label (usable for unsupervised adaptation, never scored);
* ``exclude``: files never taken (duplicates, jingles, sound effects).

A score entry names a music21 corpus collection, the works to render and their label.
Patterns are ``fnmatch`` patterns on the path relative to the package's ``root`` (``*`` also
crosses ``/``). Every problem is reported as one :class:`SourcesError` naming the entry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mirloop.errors import MirloopError
from mirloop.evaluation import real_manifest
from mirloop.evaluation.coarse_genres import load_coarse_genres

#: The coarse labels a manifest may carry, and their meaning as catalog genres: the one mapping file
#: src/mirloop/data/real_music/coarse_genres.toml, read by the evaluation as well.
COARSE_LABELS: tuple[str, ...] = load_coarse_genres().labels
#: How a track's audio came to be, and how a label follows from its evidence: ``named`` (the
#: evidence names the genre: a tag, a file or theme name, a collection) or ``context`` (the genre
#: follows from quoted context: the same composer's tagged tracks of the same set, a readme or
#: credits describing the style, the project's curated clip list, production notes). Both come
#: from the manifest reader of ``mirloop evaluate-real``, so builder and reader cannot drift apart.
KINDS: tuple[str, ...] = real_manifest.KINDS
LABEL_BASES: tuple[str, ...] = real_manifest.LABEL_BASES
#: The music21 corpus collections the set may render (and nothing else).
MUSIC21_COLLECTIONS = (
    "airdsAirs",
    "chopin",
    "cpebach",
    "handel",
    "joplin",
    "josquin",
    "leadSheet",
    "miscFolk",
    "monteverdi",
    "nottingham-dataset",
    "palestrina",
    "schubert",
    "schumann_clara",
    "trecento",
    "weber",
)


class SourcesError(MirloopError):
    """``sources.toml`` is malformed, or names a label, kind or collection the set does not allow."""


@dataclass(frozen=True)
class TrackRule:
    """Files matching ``glob`` get ``label`` (empty: unlabelled) for the reason in ``evidence``.

    ``basis`` says how the label follows from the evidence (:data:`LABEL_BASES`); empty when unlabelled.
    """

    glob: str
    label: str
    evidence: str
    kind: str = "recording"
    license: str = ""  # overrides the license found in the package's copyright file
    hint: str = ""  # for unlabelled files: what the evidence suggests without settling it
    basis: str = ""


@dataclass(frozen=True)
class PackageSource:
    """One Debian package: where its music lives and which files to take."""

    name: str
    version: str
    root: str
    tracks: tuple[TrackRule, ...]
    unlabelled: tuple[TrackRule, ...] = ()
    exclude: tuple[str, ...] = ()
    archive: str = ""  # a zip archive (e.g. a .pk3) below root whose members are the files
    copyright_prefix: str = ""  # prefix that turns a path below root into a copyright Files: path
    license: str = ""  # used when the copyright file names no license for a file
    license_evidence: str = ""
    description: str = ""

    @property
    def group(self) -> str:
        return self.name


@dataclass(frozen=True)
class ScoreSource:
    """Works of one music21 corpus collection rendered to audio with a General MIDI sound font."""

    collection: str
    label: str
    evidence: str
    works: tuple[str, ...]  # corpus paths; "path#N" takes the piece numbered N (ABC X:) of an opus file
    license: str = ""
    max_seconds: float = 300.0

    @property
    def group(self) -> str:
        return f"music21-{self.collection}"


@dataclass(frozen=True)
class Sources:
    """Everything ``sources.toml`` asks for."""

    packages: tuple[PackageSource, ...]
    scores: tuple[ScoreSource, ...] = ()
    min_seconds: float = 20.0
    sample_rate: int = 44100
    soundfont: str = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
    notes: dict[str, Any] = field(default_factory=dict)


_PACKAGE_KEYS = {
    "version", "root", "tracks", "unlabelled", "exclude", "archive", "copyright_prefix",
    "license", "license_evidence", "description",
}  # fmt: skip
_RULE_KEYS = {"glob", "label", "evidence", "kind", "license", "hint", "basis"}
_SCORE_KEYS = {"label", "evidence", "works", "license", "max_seconds"}
_TOP_KEYS = {"settings", "packages", "scores"}
_SETTINGS_KEYS = {"min_seconds", "sample_rate", "soundfont"}


def load_sources(path: str | Path) -> Sources:
    """Read and check ``sources.toml``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"{path}: no such file; pass --sources with the set's sources.toml") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML ({exc}); fix the syntax") from exc
    return parse_sources(data, where=str(path))


def parse_sources(data: dict[str, Any], *, where: str = "sources.toml") -> Sources:
    """Check a parsed ``sources.toml`` and turn it into :class:`Sources`."""
    _unknown(data, _TOP_KEYS, where)
    settings = data.get("settings", {})
    _unknown(settings, _SETTINGS_KEYS, f"{where} [settings]")
    packages = tuple(
        _package(name, entry, f"{where} [packages.{name}]")
        for name, entry in sorted(data.get("packages", {}).items())
    )
    scores = tuple(
        _score(name, entry, f"{where} [scores.{name}]")
        for name, entry in sorted(data.get("scores", {}).items())
    )
    return Sources(
        packages=packages,
        scores=scores,
        min_seconds=float(settings.get("min_seconds", 20.0)),
        sample_rate=int(settings.get("sample_rate", 44100)),
        soundfont=str(settings.get("soundfont", Sources.soundfont)),
    )


def check_label(label: str, where: str) -> str:
    """``label`` if it is a coarse label or empty (unlabelled), else a :class:`SourcesError`."""
    if label and label not in COARSE_LABELS:
        raise SourcesError(f"{where}: unknown coarse label {label!r}; use one of {', '.join(COARSE_LABELS)}")
    return label


def check_basis(basis: str, label: str, where: str) -> str:
    """``basis`` if it fits ``label`` (one of :data:`LABEL_BASES` when labelled, empty when not)."""
    if label and basis not in LABEL_BASES:
        raise SourcesError(f"{where}: unknown label basis {basis!r}; use one of {', '.join(LABEL_BASES)}")
    if not label and basis:
        raise SourcesError(f"{where}: label basis {basis!r} without a label; leave 'basis' out")
    return basis


def _package(name: str, entry: dict[str, Any], where: str) -> PackageSource:
    _unknown(entry, _PACKAGE_KEYS, where)
    for key in ("version", "root"):
        if not str(entry.get(key, "")).strip():
            raise SourcesError(f"{where}: '{key}' is missing; pin the package version and its music folder")
    tracks = tuple(
        _rule(r, f"{where} tracks[{i}]", labelled=True) for i, r in enumerate(entry.get("tracks", []))
    )
    unlabelled = tuple(
        _rule(r, f"{where} unlabelled[{i}]", labelled=False)
        for i, r in enumerate(entry.get("unlabelled", []))
    )
    if not tracks and not unlabelled:
        raise SourcesError(f"{where}: takes no files; add [[...tracks]] or [[...unlabelled]] entries")
    return PackageSource(
        name=name,
        version=str(entry["version"]),
        root=str(entry["root"]).strip("/"),
        tracks=tracks,
        unlabelled=unlabelled,
        exclude=tuple(str(p) for p in entry.get("exclude", [])),
        archive=str(entry.get("archive", "")),
        copyright_prefix=str(entry.get("copyright_prefix", "")),
        license=str(entry.get("license", "")),
        license_evidence=str(entry.get("license_evidence", "")),
        description=str(entry.get("description", "")),
    )


def _rule(entry: dict[str, Any], where: str, *, labelled: bool) -> TrackRule:
    _unknown(entry, _RULE_KEYS, where)
    glob = str(entry.get("glob", "")).strip()
    if not glob:
        raise SourcesError(f"{where}: 'glob' is missing; name the file or a pattern for the files")
    label = check_label(str(entry.get("label", "")), where)
    evidence = str(entry.get("evidence", "")).strip()
    if labelled and not label:
        raise SourcesError(f"{where}: a labelled track needs 'label'; move label-less files to 'unlabelled'")
    if not labelled and label:
        raise SourcesError(f"{where}: an unlabelled entry carries label {label!r}; move it to 'tracks'")
    if labelled and not evidence:
        raise SourcesError(f"{where}: label {label!r} has no 'evidence'; quote why the file has this label")
    kind = str(entry.get("kind", "recording"))
    if kind not in KINDS:
        raise SourcesError(f"{where}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    basis = check_basis(str(entry.get("basis", "named" if labelled else "")), label, where)
    return TrackRule(
        glob, label, evidence, kind, str(entry.get("license", "")), str(entry.get("hint", "")), basis
    )


def _score(name: str, entry: dict[str, Any], where: str) -> ScoreSource:
    _unknown(entry, _SCORE_KEYS, where)
    if name not in MUSIC21_COLLECTIONS:
        raise SourcesError(
            f"{where}: music21 collection {name!r} is not one the set may use; "
            f"use one of {', '.join(MUSIC21_COLLECTIONS)}"
        )
    label = check_label(str(entry.get("label", "")), where)
    evidence = str(entry.get("evidence", "")).strip()
    if not label or not evidence:
        raise SourcesError(f"{where}: a score collection needs 'label' and 'evidence'")
    works = tuple(str(w) for w in entry.get("works", []))
    if not works:
        raise SourcesError(f"{where}: 'works' is empty; list the corpus paths to render")
    return ScoreSource(
        collection=name,
        label=label,
        evidence=evidence,
        works=works,
        license=str(entry.get("license", "")),
        max_seconds=float(entry.get("max_seconds", 300.0)),
    )


def _unknown(entry: Any, allowed: set[str], where: str) -> None:
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: expected a table, got {type(entry).__name__}")
    extra = sorted(set(entry) - allowed)
    if extra:
        raise SourcesError(
            f"{where}: unknown key(s) {', '.join(extra)}; allowed: {', '.join(sorted(allowed))}"
        )
