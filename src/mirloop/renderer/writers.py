"""Writing a render: audio (WAV/FLAC/OGG), MIDI, stems and the JAMS ground-truth sidecar.

Every file is written atomically (a temporary file, then ``os.replace``): a failed write
leaves no partial file behind, and the stems folder appears whole or not at all. A stems folder
that holds anything mirloop did not write there is never replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mirloop.errors import AudioError, OutputError, RenderError
from mirloop.io.atomic import atomic_open, atomic_path
from mirloop.io.audio_out import audio_format, write_audio_file
from mirloop.types import Audio
from mirloop.types.render import GroundTruth, RenderResult

if TYPE_CHECKING:
    import jams

    from mirloop.renderer.production import Prepared


def write_audio(audio: Audio, path: str | os.PathLike[str], *, subtype: str | None = None) -> Path:
    """Write stereo/mono ``audio``; the format follows the suffix (.wav, .flac, .ogg)."""
    samples = audio.samples.T if audio.samples.ndim == 2 else audio.samples
    try:
        return write_audio_file(path, samples, audio.sr, subtype=subtype)
    except AudioError as exc:
        raise RenderError(str(exc)) from exc


def write_midi(midi: bytes, path: str | os.PathLike[str]) -> Path:
    with atomic_open(path, "wb") as handle:
        handle.write(midi)
    return Path(path)


#: The list of files mirloop wrote into a stems folder; only a folder holding exactly these may be replaced.
STEMS_MANIFEST = ".mirloop-stems.json"


def write_stems(stems: dict[str, Audio], folder: str | os.PathLike[str], *, suffix: str = ".wav") -> Path:
    """One file per stem in ``folder``, which appears whole (written beside it, then renamed).

    An existing ``folder`` is replaced only when it holds exactly what mirloop wrote there
    before (the files its :data:`STEMS_MANIFEST` lists) or nothing; otherwise the stems are
    refused with :class:`~mirloop.errors.OutputError` and nothing is touched.
    """
    target = Path(folder)
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        _fill_stems(stems, staging, suffix)
        _place_stems(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _fill_stems(stems: dict[str, Audio], folder: Path, suffix: str) -> None:
    """Write the stems and their manifest into the (new, empty) ``folder``."""
    for role, audio in sorted(stems.items()):
        write_audio(audio, folder / f"{role}{suffix}")
    _own_stems(folder)


def _own_stems(folder: Path) -> None:
    """Give the new ``folder`` holding just the stems a plain folder's mode and the manifest
    listing them (:data:`STEMS_MANIFEST`), which marks them as mirloop's to replace."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    names = sorted((entry.name for entry in folder.iterdir()), key=lambda name: (Path(name).stem, name))
    (folder / STEMS_MANIFEST).write_text(json.dumps({"files": names}, indent=1))


def _place_stems(complete: Path, target: Path) -> None:
    """Rename the ``complete`` stems folder to ``target``, retiring mirloop's own previous stems."""
    if target.exists():
        _check_replaceable(target)
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        os.replace(target, retired / target.name)
        os.replace(complete, target)
        _remove_own_stems(retired / target.name)
        retired.rmdir()
    else:
        os.replace(complete, target)


def _check_replaceable(target: Path) -> None:
    """Refuse a ``target`` that exists and holds anything mirloop did not write there."""
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_dir():
        raise OutputError(
            f"{target} exists and is not a stems folder mirloop wrote; move it away or choose another "
            "output name (the stems go to <name>_stems/ next to the audio)"
        )
    present = {entry.name for entry in target.iterdir()}
    if not present:
        return
    own = _own_stem_files(target)
    if own is None or present != own | {STEMS_MANIFEST}:
        others = sorted(present - (own or set()) - {STEMS_MANIFEST})
        listed = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise OutputError(
            f"{target} already holds files mirloop did not write ({listed or 'a changed manifest'}); "
            "stems never replace them: move the folder away or choose another output name"
        )


def _own_stem_files(folder: Path) -> set[str] | None:
    """The regular files the folder's manifest lists, or ``None`` without a readable manifest."""
    try:
        names = json.loads((folder / STEMS_MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) and Path(n).name == n for n in names):
        return None
    if not all((folder / name).is_file() and not (folder / name).is_symlink() for name in names):
        return None
    return set(names)


def _remove_own_stems(folder: Path) -> None:
    """Delete the listed stems and the manifest one by one, then the (then empty) folder."""
    for name in sorted(_own_stem_files(folder) or ()):
        (folder / name).unlink()
    (folder / STEMS_MANIFEST).unlink(missing_ok=True)
    folder.rmdir()  # fails, keeping everything, if anything else appeared meanwhile


def truth_to_jams(
    truth: GroundTruth,
    *,
    title: str = "",
    seed: int | None = None,
    augmentation: dict[str, Any] | None = None,
) -> jams.JAMS:
    """The ground truth as JAMS: ``beat``, ``tempo``, ``key_mode``, ``segment_open`` (regions) and
    ``tag_open`` (descriptor per region, and ``target:label`` tags in ``sandbox.mirloop = "targets"``).
    The file's ``sandbox.mirloop`` holds the seed, the bands and, for a domain-randomised render,
    the drawn ``augmentation`` (:class:`mirloop.renderer.randomize.ChainParams`)."""
    import jams

    duration = float(truth.duration)
    jam = jams.JAMS()
    jam.file_metadata.duration = duration
    jam.file_metadata.title = title
    jam.sandbox.mirloop = {"seed": seed, "bands": [r.band for r in truth.regions]}
    if augmentation is not None:
        jam.sandbox.mirloop["augmentation"] = dict(augmentation)
    meta = jams.AnnotationMetadata(data_source="mirloop renderer (ground truth)")

    beats = jams.Annotation("beat", annotation_metadata=meta, time=0, duration=duration)
    for time in truth.beats:
        beats.append(time=float(time), duration=0.0, value=None, confidence=1.0)
    tempo = jams.Annotation("tempo", annotation_metadata=meta, time=0, duration=duration)
    keys = jams.Annotation("key_mode", annotation_metadata=meta, time=0, duration=duration)
    segments = jams.Annotation("segment_open", annotation_metadata=meta, time=0, duration=duration)
    tags = jams.Annotation(
        "tag_open", annotation_metadata=meta, time=0, duration=duration, sandbox={"mirloop": "descriptor"}
    )
    targets = jams.Annotation(
        "tag_open", annotation_metadata=meta, time=0, duration=duration, sandbox={"mirloop": "targets"}
    )
    for region in truth.regions:
        start, length = float(region.start), float(min(region.end, duration) - region.start)
        tempo.append(time=start, duration=length, value=float(region.tempo), confidence=1.0)
        if region.key is not None:
            keys.append(time=start, duration=length, value=region.key.jams_value, confidence=1.0)
        segments.append(time=start, duration=length, value=region.descriptor, confidence=1.0)
        tags.append(time=start, duration=length, value=region.descriptor, confidence=1.0)
        genre, subgenre, mood = ([*region.descriptor.split("_", 2), "", ""])[:3]
        for name, label in (("genre", genre), ("subgenre", subgenre), ("mood", mood), ("band", region.band)):
            targets.append(time=start, duration=length, value=f"{name}:{label}", confidence=1.0)
    for annotation in (beats, tempo, keys, segments, tags, targets):
        if len(annotation.data) or annotation.namespace != "key_mode":
            jam.annotations.append(annotation)
    return jam


def write_jams(
    truth: GroundTruth,
    path: str | os.PathLike[str],
    *,
    title: str = "",
    seed: int | None = None,
    augmentation: dict[str, Any] | None = None,
) -> Path:
    jam = truth_to_jams(truth, title=title, seed=seed, augmentation=augmentation)
    with atomic_path(path) as temporary:
        jam.save(str(temporary), strict=True)
    return Path(path)


def sidecar_paths(audio_path: str | os.PathLike[str]) -> dict[str, Path]:
    """Where :func:`write_render` puts the MIDI, JAMS and stems next to ``audio_path``."""
    path = Path(audio_path)
    return {
        "midi": path.with_suffix(".mid"),
        "jams": path.with_suffix(".jams"),
        "stems": path.with_name(f"{path.stem}_stems"),
    }


def write_render(
    result: RenderResult,
    path: str | os.PathLike[str],
    *,
    midi: bool = False,
    stems: bool = False,
    jams: bool = True,
) -> dict[str, Path]:
    """Write the audio to ``path`` and, next to it, the JAMS ground truth (``.jams``), the MIDI
    (``.mid``) and the stems folder (``<name>_stems/``) when asked. Returns what was written.

    The set appears together: every file is first written into a temporary folder beside
    ``path``; only when all are complete are they renamed into place (the sidecars first, the
    audio last), so a full disk or a crash while writing leaves none of them. A stems folder
    holding files mirloop did not write is refused before anything is written; a failed write
    raises :class:`~mirloop.errors.OutputError`.
    """
    target = Path(path)
    others = sidecar_paths(target)
    if stems:  # refuse before anything is written
        if not result.stems:
            raise RenderError("this render has no stems; render with the option stems=true")
        _check_replaceable(others["stems"])
    return _write_staged(target, lambda staging: _write_set(result, target, staging, midi=midi, stems=stems,
                                                            jams=jams))


def write_streamed_render(
    prepared: Prepared,
    path: str | os.PathLike[str],
    *,
    midi: bool = False,
    stems: bool = False,
    jams: bool = True,
    listener: Callable[[np.ndarray], None] | None = None,
) -> dict[str, Path]:
    """As :func:`write_render` for a render streamed block by block into its audio file and, with
    ``stems``, its stems folder (:func:`mirloop.renderer.api.prepare_streamed`): memory does not
    grow with its length, and the files hold the samples an in-memory render of the same
    timeline and seed holds (the same bytes, for WAV and FLAC). ``listener`` gets each block of
    the mix as it is written (:func:`~mirloop.renderer.production.stream_prepared_to_file`)."""
    from mirloop.renderer.production import stream_prepared_to_file

    target = Path(path)
    if stems:  # refuse before anything is written
        if not prepared.options.stems:
            raise RenderError("this render has no stems; render with the option stems=true")
        _check_replaceable(sidecar_paths(target)["stems"])

    def fill(staging: Path) -> dict[str, Path]:
        others = {kind: staging / where.name for kind, where in sidecar_paths(target).items()}
        if stems:
            others["stems"].mkdir()
        written = {"audio": stream_prepared_to_file(prepared, staging / target.name,
                                                    stems=others["stems"] if stems else None,
                                                    listener=listener)}
        if stems:
            _own_stems(others["stems"])
            written["stems"] = others["stems"]
        if midi:
            written["midi"] = write_midi(prepared.midi, others["midi"])
        if jams:
            written["jams"] = write_jams(
                prepared.truth, others["jams"], title=target.stem, seed=prepared.seed,
                augmentation=prepared.augmentation,
            )
        return written

    return _write_staged(target, fill)


def _write_staged(target: Path, fill: Callable[[Path], dict[str, Path]]) -> dict[str, Path]:
    """Run ``fill(staging)`` in a temporary folder beside ``target``, then rename what it wrote
    into place (sidecars first, the audio last); see :func:`write_render`."""
    audio_format(target)  # an unknown suffix is refused by its own name, before any work
    others = sidecar_paths(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        staged = fill(staging)
        for kind in ("jams", "midi", "stems", "audio"):
            if kind not in staged:
                continue
            if kind == "stems":
                _place_stems(staged[kind], others["stems"])
            else:
                os.replace(staged[kind], target if kind == "audio" else others[kind])
    except OSError as exc:
        raise OutputError(
            f"{target}: writing the render failed ({exc.strerror or exc}); none of its files were "
            "written — free some space or fix the folder and run again"
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {kind: target if kind == "audio" else others[kind] for kind in ("audio", "midi", "stems", "jams")
            if kind in staged}


def _write_set(
    result: RenderResult, target: Path, staging: Path, *, midi: bool, stems: bool, jams: bool
) -> dict[str, Path]:
    """Every file of the render under ``staging``, with the names they will have beside ``target``."""
    others = {kind: staging / where.name for kind, where in sidecar_paths(target).items()}
    written = {"audio": write_audio(result.audio, staging / target.name)}
    if midi:
        written["midi"] = write_midi(result.midi, others["midi"])
    if stems and result.stems:
        others["stems"].mkdir()
        _fill_stems(result.stems, others["stems"], ".wav")
        written["stems"] = others["stems"]
    if jams:
        written["jams"] = write_jams(
            result.truth,
            others["jams"],
            title=target.stem,
            seed=result.seed,
            augmentation=result.augmentation,
        )
    return written


def peak_dbfs(audio: Audio) -> float:
    """Sample peak in dBFS (−inf for silence)."""
    peak = float(np.max(np.abs(audio.samples))) if audio.samples.size else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")
