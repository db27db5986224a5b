"""The JAMS sidecar of one file of the annotated sets: what ``mirloop evaluate-backends`` reads.

Namespaces written: ``tempo`` (one BPM over the whole file), ``key_mode`` (``"A:minor"`` over the
whole file, or one per region of a modulating file), ``beat``
(beat times, value 1 on a downbeat else the beat's number in the bar) and ``segment_open`` (the
spliced chunks, labelled by their source). Same inputs, same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DATA_SOURCE = "mirloop annotated development set (exact by construction)"


def annotation_bytes(
    *,
    title: str,
    duration: float,
    tempo: float | None = None,
    key: str | None = None,
    key_regions: Sequence[tuple[float, float, str]] = (),
    beats: Sequence[tuple[float, int]] = (),
    segments: Sequence[tuple[float, float, str]] = (),
    sandbox: dict[str, Any] | None = None,
) -> bytes:
    """The JAMS text of one file's ground truth, as UTF-8 bytes."""
    import jams

    jam = jams.JAMS()
    jam.file_metadata.duration = duration
    jam.file_metadata.title = title
    if sandbox:
        jam.sandbox.mirloop = sandbox

    def annotation(namespace: str) -> Any:
        meta = jams.AnnotationMetadata(data_source=DATA_SOURCE)
        return jams.Annotation(namespace, annotation_metadata=meta, time=0.0, duration=duration)

    if tempo is not None:
        ann = annotation("tempo")
        ann.append(time=0.0, duration=duration, value=float(tempo), confidence=1.0)
        jam.annotations.append(ann)
    if key is not None or key_regions:
        ann = annotation("key_mode")
        for start, end, value in key_regions or [(0.0, duration, key)]:
            ann.append(time=round(start, 6), duration=round(end - start, 6), value=value, confidence=1.0)
        jam.annotations.append(ann)
    if beats:
        ann = annotation("beat")
        for time, position in beats:
            ann.append(time=round(float(time), 6), duration=0.0, value=int(position), confidence=1.0)
        jam.annotations.append(ann)
    if segments:
        ann = annotation("segment_open")
        for start, end, label in segments:
            ann.append(time=round(start, 6), duration=round(end - start, 6), value=label, confidence=1.0)
        jam.annotations.append(ann)
    return str(jam.dumps(indent=1, sort_keys=True)).encode("utf-8") + b"\n"
