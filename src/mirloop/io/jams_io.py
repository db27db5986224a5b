"""An :class:`~mirloop.types.Analysis` as a JAMS file (mir_eval and other MIR tools read it).

Annotations written (each names its backend in ``annotation_metadata``):

==================  ==============================================================================
namespace           content
==================  ==============================================================================
``tempo``           the global tempo: one observation over the whole track (BPM, confidence)
``blob``            the per-window tempo curve, ``sandbox.mirloop = "window_tempo"`` (BPM per
                    10-s window; the ``tempo`` namespace is for at most two global tempi)
``beat``            beat times, when the tempo backend tracked beats
``key_mode``        the global key (``sandbox.mirloop = "track_key"``), and the key of every
                    10-s window (``sandbox.mirloop = "window_key"``)
``segment_open``    the form segments with their labels (``A``, ``B``, ``A'``…)
``tag_open``        per classifier target, the track label (``sandbox.mirloop = "track_tags"``)
                    and every window's label (``"window_tags"``) as ``target:label`` tags
(any)               a stage a plugin adds, when its result offers ``to_jams()``
                    (``sandbox.mirloop = "stage"``, ``sandbox.stage`` its name); otherwise its
                    ``to_json()`` value is in the file's ``sandbox.mirloop.extra[<stage>]``
                    (see :mod:`mirloop.types.stage_output`)
==================  ==============================================================================
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mirloop.io.atomic import atomic_path
from mirloop.types import Analysis

if TYPE_CHECKING:
    import jams

DATA_SOURCE = "mirloop automatic analysis"


def analysis_to_jams(analysis: Analysis, *, title: str | None = None, validate: bool = True) -> jams.JAMS:
    """Build the JAMS document of ``analysis``, validated against the JAMS schema unless
    ``validate`` is false (for a caller that validates it next, as saving does)."""
    import jams

    duration = float(analysis.duration)
    jam = jams.JAMS()
    jam.file_metadata.duration = duration
    jam.file_metadata.title = title if title is not None else Path(analysis.source).stem
    jam.file_metadata.identifiers = {"source": analysis.source}
    jam.sandbox.mirloop = {"flags": list(analysis.flags), "backends": dict(analysis.backends)}
    if analysis.damage is not None:
        jam.sandbox.mirloop["damage"] = analysis.damage.to_dict()
    if analysis.near_silent:
        jam.sandbox.mirloop["near_silent"] = [[start, end] for start, end in analysis.near_silent]
    grid = analysis.grid
    starts, ends = grid.starts, grid.ends

    if analysis.tempo is not None:
        tempo = analysis.tempo
        meta = _metadata(analysis, "tempo")
        track_tempo = jams.Annotation("tempo", annotation_metadata=meta, time=0, duration=duration)
        track_tempo.append(time=0.0, duration=duration, value=max(float(tempo.bpm), 0.0),
                           confidence=_unit(tempo.confidence))
        jam.annotations.append(track_tempo)
        curve = jams.Annotation("blob", annotation_metadata=_metadata(analysis, "tempo"),
                                sandbox={"mirloop": "window_tempo", "unit": "BPM"}, time=0, duration=duration)
        for start, end, bpm in zip(starts, ends, tempo.window_bpm):
            curve.append(time=float(start), duration=float(end - start), value=float(bpm), confidence=None)
        jam.annotations.append(curve)
        if len(tempo.beats):
            beats = jams.Annotation("beat", annotation_metadata=_metadata(analysis, "tempo"), time=0,
                                    duration=duration)
            for beat in tempo.beats:
                beats.append(time=float(beat), duration=0.0, value=None, confidence=None)
            jam.annotations.append(beats)

    if analysis.key is not None:
        key = analysis.key
        track_key = jams.Annotation("key_mode", annotation_metadata=_metadata(analysis, "key"),
                                    sandbox={"mirloop": "track_key"}, time=0, duration=duration)
        track_key.append(time=0.0, duration=duration, value=key.key.jams_value,
                         confidence=_unit(key.confidence))
        jam.annotations.append(track_key)
        window_keys = jams.Annotation("key_mode", annotation_metadata=_metadata(analysis, "key"),
                                      sandbox={"mirloop": "window_key"}, time=0, duration=duration)
        for start, end, window_key, confidence in zip(starts, ends, key.window_keys, key.window_confidence):
            window_keys.append(time=float(start), duration=float(end - start), value=window_key.jams_value,
                               confidence=_unit(confidence))
        jam.annotations.append(window_keys)

    if analysis.segmentation is not None:
        segments = jams.Annotation("segment_open", annotation_metadata=_metadata(analysis, "segmenter"),
                                   sandbox={"n_clusters": analysis.segmentation.n_clusters,
                                            "method": analysis.segmentation.method},
                                   time=0, duration=duration)
        for segment in analysis.segmentation.segments:
            segments.append(time=float(segment.start), duration=float(max(segment.duration, 0.0)),
                            value=segment.label, confidence=None)
        jam.annotations.append(segments)

    if analysis.prediction is not None:
        model = analysis.prediction.model
        track_tags = jams.Annotation("tag_open", annotation_metadata=_metadata(analysis, "classifier"),
                                     sandbox={"mirloop": "track_tags", "model": model}, time=0,
                                     duration=duration)
        window_tags = jams.Annotation("tag_open", annotation_metadata=_metadata(analysis, "classifier"),
                                      sandbox={"mirloop": "window_tags", "model": model}, time=0,
                                      duration=duration)
        for target, pred in analysis.prediction.targets.items():
            mean = pred.track_probabilities()
            track_tags.append(time=0.0, duration=duration, value=f"{target}:{pred.track_label}",
                              confidence=_unit(float(np.max(mean))))
            top = np.argmax(pred.probabilities, axis=1)
            for index, (start, end, label) in enumerate(zip(starts, ends, pred.labels)):
                window_tags.append(time=float(start), duration=float(end - start), value=f"{target}:{label}",
                                   confidence=_unit(pred.probabilities[index, top[index]]))
        jam.annotations.append(track_tags)
        jam.annotations.append(window_tags)

    for stage, result in analysis.extra.items():
        _add_stage_result(jam, analysis, stage, result)

    if validate:
        with _quiet_schema_warnings():
            jam.validate()
    return jam


def _add_stage_result(jam: jams.JAMS, analysis: Analysis, stage: str, result: Any) -> None:
    """An added stage's result: its annotation (``to_jams()``), else its JSON value in the sandbox.

    A malformed annotation fails with a :class:`~mirloop.errors.PluginError` naming the stage,
    backend and plugin.
    """
    import jams

    from mirloop.errors import PluginError
    from mirloop.types.stage_output import JamsOutput, output_json

    meta = _metadata(analysis, stage)
    who = f"{stage} backend {meta.annotator['name']!r} of plugin {meta.annotator['plugin']!r}"
    if not isinstance(result, JamsOutput):
        value = output_json(result)
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise PluginError(f"{who}: to_json() gave a value that is not JSON ({exc}); return dicts, lists, "
                              "strings, finite numbers, booleans or None") from exc
        jam.sandbox.mirloop.setdefault("extra", {})[stage] = value
        return
    try:
        spec = result.to_jams()
        annotation = jams.Annotation(spec["namespace"], annotation_metadata=meta,
                                     sandbox={**spec.get("sandbox", {}), "mirloop": "stage", "stage": stage},
                                     time=0, duration=float(analysis.duration))
        for observation in spec["observations"]:
            annotation.append(time=float(observation["time"]), duration=float(observation["duration"]),
                              value=observation.get("value"), confidence=observation.get("confidence"))
        with _quiet_schema_warnings():
            annotation.validate()
    except (KeyError, TypeError, ValueError, jams.JamsError) as exc:
        raise PluginError(f"{who} gave a JAMS annotation mirloop cannot write ({type(exc).__name__}: {exc}); "
                          "to_jams() returns {'namespace': …, 'observations': [{'time', 'duration', "
                          "'value', 'confidence'}, …]} valid for its namespace "
                          "(see mirloop.types.stage_output)") from exc
    jam.annotations.append(annotation)


def write_jams(analysis: Analysis, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Atomically write the validated JAMS file of ``analysis`` to ``path``.

    The document is validated once, as jams saves it (strict): checking every observation
    against its namespace costs about 3 ms for a 30-s clip, 4 % of the clip's analysis."""
    jam = analysis_to_jams(analysis, title=title, validate=False)
    with atomic_path(path) as temporary, _quiet_schema_warnings():
        jam.save(str(temporary), strict=True, fmt="jams")
    return Path(path)


@contextlib.contextmanager
def _quiet_schema_warnings() -> Iterator[None]:
    """jams calls a jsonschema API that newer jsonschema deprecates; that warning is not ours to fix."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="jsonschema")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="jams")
        yield


def _metadata(analysis: Analysis, stage: str) -> jams.AnnotationMetadata:
    """Who produced an annotation: the backend, its plugin, distribution and version."""
    import jams

    import mirloop

    name = analysis.backends.get(stage, "")
    plugin, dist, version = _backend_origin(stage, name)
    return jams.AnnotationMetadata(
        annotator={"name": name, "stage": stage, "plugin": plugin, "distribution": dist, "version": version},
        version=version,
        annotation_tools=f"mirloop {mirloop.__version__}, {stage} backend {name!r} ({dist} {version})",
        data_source=DATA_SOURCE,
    )


def _backend_origin(stage: str, name: str) -> tuple[str, str, str]:
    from mirloop.errors import MirloopError
    from mirloop.plugins import registry

    try:
        info = registry().get(stage, name)
    except MirloopError:
        return "", "", ""
    return info.plugin, info.dist, info.version


def _unit(value: Any) -> float:
    """A confidence clipped to [0, 1] (NaN becomes 0)."""
    number = float(value)
    return 0.0 if not np.isfinite(number) else min(max(number, 0.0), 1.0)
