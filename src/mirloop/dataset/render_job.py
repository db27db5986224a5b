"""Make one render of the dataset: render → compressed audio, timeline, JAMS → window features.

Runs in a worker process; everything it writes is atomic and the manifest row
(``parts/<id>.json``) is written last, so an interrupted job leaves nothing that counts as done.
The stored audio is either the render itself (``store = "render"``: stereo at the render
rate) or, by default, the signal every feature backend analyses (``"analysis"``: the render
mixed to mono and resampled to 22050 Hz, a quarter of the size). Features are extracted from
the *written* audio with the configured feature backend, exactly as ``mirloop classify`` will
later see the file: an Ogg file is decoded again; for a 16-bit FLAC file the decoded samples
are known without reading it back (:func:`~mirloop.io.audio.as_loaded`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import field, frozen

from mirloop.classify.feature_table import PCA_INPUT_PREFIX
from mirloop.dataset.layout import DatasetLayout
from mirloop.dataset.manifest import ManifestRow, write_part
from mirloop.dataset.plan import RenderJob
from mirloop.errors import DatasetError
from mirloop.io.atomic import atomic_path, write_text
from mirloop.io.audio_out import write_audio_file
from mirloop.types.descriptor import TARGETS

if TYPE_CHECKING:
    import pyarrow as pa

    from mirloop.types import Audio, Descriptor, Features, RenderResult

#: Subtype soundfile writes for each supported audio format.
AUDIO_SUBTYPES = {"ogg": "VORBIS", "flac": "PCM_16"}
#: Encoder compression level per format (FLAC: fastest; lossless either way).
COMPRESSION_LEVELS: dict[str, float | None] = {"ogg": None, "flac": 0.0}
#: What a dataset stores of each render: the render as made, or the signal the analysis reads.
STORES = ("analysis", "render")


@frozen
class JobSettings:
    """What every job of one run shares: the folder, audio format, the analysis configuration layer,
    the renderer backend's options (``sr`` among them), what is stored (:data:`STORES`) and the
    renderer backend (the configured ``renderer`` stage's)."""

    root: str
    audio_format: str
    config_layer: dict[str, Any]
    render_options: dict[str, Any] = field(factory=dict)
    store: str = "analysis"
    renderer: str = "mirloop"


def single_region_timeline(job: RenderJob) -> dict[str, Any]:
    """The Amper-style timeline of a job: one metered span, one region of the job's descriptor."""
    from mirloop.timeline.tonic import from_pitch_name

    span: dict[str, Any] = {
        "time": 0,
        "type": "metered",
        "tempo": job.tempo,
        "id": 1,
        "actions": [
            {
                "time": 0,
                "add_region": {
                    "id": 2,
                    "descriptor": job.descriptor,
                    "key": {"tonic": from_pitch_name(job.tonic)},
                    "cut_at": job.duration,
                },
            }
        ],
    }
    if job.band:
        span["instrument_groups"] = [{"instrument_group": job.band}]
    return {"timeline": {"spans": [span, {"time": job.duration, "type": "unmetered"}]}}


def stored_analysis_audio(audio: Audio) -> Audio:
    """A render as a dataset stores it and its features are computed (``store = "analysis"``,
    FLAC): mixed to mono and resampled to the analysis rate as loading does, then quantised to
    16 bits as the FLAC file holds it. Classify a render through this to hear it exactly as the
    training renders were heard: the quantisation noise floor alone moves the spectral flatness
    and contrast of quiet passages by 10 % against the float render."""
    from mirloop.io.audio import as_loaded

    samples = audio.samples.T if audio.samples.ndim == 2 else audio.samples
    analysed = as_loaded(samples, audio.sr)
    return as_loaded(analysed.samples, analysed.sr, flac16=True, source=audio.source or "")


def analysis_config(layer: dict[str, Any]) -> Any:
    """The configuration for featurizing: the given feature backend, every other stage off."""
    from mirloop.config import load_config

    off = {stage: {"backend": "none"} for stage in ("separator", "tempo", "key", "segmenter", "classifier")}
    return load_config({**layer, **off})


def descriptor_labels(descriptor: Descriptor) -> dict[str, Any]:
    """The descriptor's name and every target's value, in the dataset's label-column order
    (:data:`~mirloop.dataset.manifest.LABEL_COLUMNS`)."""
    return {"descriptor": descriptor.name, **{target: getattr(descriptor, target) for target in TARGETS}}


def window_rows(job: RenderJob, descriptor: Descriptor, features: Features) -> pa.Table:
    """One row per window: render id, labels, window timing, features and PCA input."""
    return labelled_window_rows(job.render_id, job.tempo, descriptor_labels(descriptor), features)


#: The label columns of the feature table that hold text (valence and momentum are integers).
TEXT_LABELS = ("descriptor", "genre", "subgenre", "mood", "sentiment")


def labelled_window_rows(
    render_id: str, tempo_bpm: float, labels: Mapping[str, Any], features: Features
) -> pa.Table:
    """The feature-table rows of one render (see :mod:`mirloop.classify.feature_table`): its id and
    ``labels`` (descriptor and the six targets) on every window, window timing, ``tempo_bpm``,
    the feature columns and the PCA input columns (when the features carry them)."""
    import pyarrow as pa

    grid = features.grid
    n = grid.n_windows
    columns: dict[str, Any] = {
        "render_id": [render_id] * n,
        **{name: [str(labels[name])] * n for name in TEXT_LABELS},
        "valence": np.full(n, int(labels["valence"]), dtype=np.int64),
        "momentum": np.full(n, int(labels["momentum"]), dtype=np.int64),
        "window": np.arange(n, dtype=np.int64),
        "start": grid.starts,
        "end": grid.ends,
        "duration": np.full(n, grid.duration),
        "tempo_bpm": np.full(n, float(tempo_bpm)),
    }
    for index, name in enumerate(features.names):
        columns[name] = features.values[:, index].astype(np.float32)
    if features.pca_input is not None:
        for index in range(features.pca_input.shape[1]):
            columns[f"{PCA_INPUT_PREFIX}{index:03d}"] = np.asarray(
                features.pca_input[:, index], dtype=np.float32
            )
    return pa.table(columns)


def render_through_stage(document: dict[str, Any], seed: int, settings: JobSettings) -> RenderResult:
    """``document`` rendered by the run's renderer backend (made once per worker process), its
    result checked as the loop checks a render's: a :class:`~mirloop.types.RenderResult` of
    audio that is not empty."""
    from mirloop.executors.state import cached_backend
    from mirloop.stages import result_problem
    from mirloop.timeline.document import Timeline

    renderer = cached_backend("renderer", settings.renderer, settings.render_options)
    result = renderer.render(Timeline.from_json(document), seed=seed)
    problem = result_problem("renderer", result)
    if problem is not None:
        raise DatasetError(f"renderer {settings.renderer!r}: its {problem}")
    if result.audio.n_samples == 0:
        raise DatasetError(f"renderer {settings.renderer!r} returned no audio")
    rendered: RenderResult = result
    return rendered


def run_job(job: RenderJob, settings: JobSettings) -> ManifestRow:
    """Render, store and featurize ``job``; returns its manifest row (also written to ``parts/``)."""
    import pyarrow.parquet as pq

    from mirloop.catalog import load_catalog
    from mirloop.io.audio import as_loaded
    from mirloop.pipelines.analyze import analyze_file, analyze_samples
    from mirloop.renderer.writers import truth_to_jams

    job_started = time.perf_counter()
    layout = DatasetLayout(settings.root, settings.audio_format)
    descriptor = load_catalog()[job.descriptor]
    document = single_region_timeline(job)
    started = time.perf_counter()
    result = render_through_stage(document, job.seed, settings)
    render_seconds = time.perf_counter() - started
    audio = result.audio
    samples = audio.samples.T if audio.samples.ndim == 2 else audio.samples
    stored_sr = audio.sr
    if settings.store == "analysis":
        analysed = as_loaded(samples, audio.sr)
        samples, stored_sr = analysed.samples, analysed.sr

    subtype = AUDIO_SUBTYPES[settings.audio_format]
    audio_path = layout.audio(job.render_id)
    level = COMPRESSION_LEVELS[settings.audio_format]
    write_audio_file(audio_path, samples, stored_sr, subtype=subtype, compression_level=level)
    write_text(layout.timeline(job.render_id), json.dumps(document, indent=1))
    jam = truth_to_jams(result.truth, title=job.render_id, seed=result.seed, augmentation=result.augmentation)
    jam.sandbox.mirloop = {**dict(getattr(jam.sandbox, "mirloop", None) or {}), "job": job.to_dict()}
    # what jam.save writes, without its schema validation (a third of a short job's bookkeeping);
    # the truth files are validated in the tests
    write_text(layout.jams(job.render_id), json.dumps(jam.__json__, indent=2))

    started = time.perf_counter()
    config = analysis_config(settings.config_layer)
    if settings.audio_format == "flac":
        written = as_loaded(samples, stored_sr, flac16=True, source=str(audio_path))
        analysis = analyze_samples(written, config=config).analysis
    else:
        analysis = analyze_file(audio_path, config=config).analysis
    feature_seconds = time.perf_counter() - started
    if analysis.features is None:
        raise DatasetError("the feature stage returned nothing")
    rows = window_rows(job, descriptor, analysis.features)
    with atomic_path(layout.features(job.render_id)) as temporary:
        pq.write_table(rows, temporary)

    row = ManifestRow(
        render_id=job.render_id,
        labels=descriptor_labels(descriptor),
        duration=float(audio.duration),
        tempo_bpm=job.tempo,
        band=job.band,
        tonic=job.tonic,
        seed=job.seed,
        sr=int(audio.sr),
        audio_sr=int(stored_sr),
        n_windows=len(rows),
        audio=str(layout.audio(job.render_id).relative_to(layout.root)),
        render_seconds=render_seconds,
        feature_seconds=feature_seconds,
        job_seconds=time.perf_counter() - job_started,
        feature_backend=analysis.backends.get("features", ""),
        # what domain randomisation drew, one column per parameter
        augmentation=dict(result.augmentation or {}),
        file_sizes={
            "audio": layout.audio(job.render_id).stat().st_size,
            "timeline": layout.timeline(job.render_id).stat().st_size,
            "jams": layout.jams(job.render_id).stat().st_size,
            "features": layout.features(job.render_id).stat().st_size,
        },
        job=job.to_dict(),
    )
    write_part(layout.row(job.render_id), row)
    return row
