"""How often real music carries each musicnn tag: the prior the ``lift`` rule divides by.

The taggers' outputs have very different base rates: MagnaTagATune's ``guitar`` and ``slow``
fire on much of any music, its ``metal`` or ``choral`` rarely. Summing raw probabilities lets the
frequent tags, and the genres that list many tags, outvote the rest. The ``lift`` rule of the
genre table (:mod:`mirloop_musicnn.genre_table`) reads ``p(tag) / prior(tag)`` instead: how much
more than usual a track carries the tag. The prior is the mean tag probability over a corpus of
real recordings, measured from audio alone (no labels), by :func:`measure_tag_prior`
(``mirloop-musicnn prior MANIFEST``); the plugin ships one measured on the unlabelled recordings
of mirloop's real-music development set (``data/tag_prior.toml``).

The prior is kept per model (``[MTT_musicnn]``, ``[MSD_vgg]`` …). The tagger averages the tag
probabilities of the models it reads that share a vocabulary, and the prior of that average is
the average of the models' priors (both are means), so one file serves any set of models; a
file with ``[mtt]`` and ``[msd]`` sections (the first format) holds ``MTT_musicnn`` and
``MSD_musicnn``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from attrs import frozen
from mirloop.errors import ConfigError, MirloopError

from mirloop_musicnn.tags import DEFAULT_MODELS, MODEL_GROUP, MODEL_TAGS
from mirloop_musicnn.toml_files import toml_string, write_toml_lines

#: The prior shipped with the plugin.
DEFAULT_PRIOR = Path(__file__).parent / "data" / "tag_prior.toml"
#: Seconds of each recording (taken from its middle) that the prior reads.
EXCERPT_SECONDS = 60.0
#: No tag's prior goes below this, so a tag the corpus never carries cannot blow its lift up.
MIN_PRIOR = 1e-3
#: The section names of the first format, and the models they hold.
FIRST_FORMAT = {"mtt": "MTT_musicnn", "msd": "MSD_musicnn"}


@frozen
class TagPrior:
    """Mean probability of every tag of each measured model (``MTT_musicnn`` …) over a corpus."""

    values: dict[str, dict[str, float]]
    tracks: int
    source: str
    path: Path | None = None

    def of(self, group: str, tag: str, models: tuple[str, ...] = DEFAULT_MODELS) -> float:
        """The prior of ``tag`` of vocabulary ``group`` (``mtt``, ``msd``) averaged over the models of
        ``models`` with that vocabulary, at least :data:`MIN_PRIOR`."""
        using = [m for m in models if MODEL_GROUP[m] == group]
        missing = [m for m in using if m not in self.values]
        if missing:
            where = self.path or "the tag prior"
            raise ConfigError(f"the musicnn tag prior {where} has no values for {', '.join(missing)} (it "
                              f"holds {', '.join(self.values)}); measure one with `mirloop-musicnn prior "
                              "MANIFEST -o "
                              "FILE --models …` and name it in the genre table's `prior`")
        if not using:
            raise ConfigError(f"no model of {list(models)} tags with the {group.upper()} vocabulary")
        return max(sum(self.values[m][tag] for m in using) / len(using), MIN_PRIOR)


def load_tag_prior(path: str | os.PathLike[str] | None = None) -> TagPrior:
    """Read and check a prior file: per model section, every tag of the model, each a probability in
    [0, 1]."""
    source = Path(path).expanduser() if path else DEFAULT_PRIOR
    fix = "write one with `mirloop-musicnn prior MANIFEST -o FILE`"
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the musicnn tag prior {source}: {exc}; {fix}") from exc
    sections = {FIRST_FORMAT.get(k, k): v for k, v in data.items() if isinstance(v, dict)}
    unknown = sorted(set(sections) - set(MODEL_TAGS))
    if unknown or not sections:
        raise ConfigError(f"the musicnn tag prior {source} must have one section per model, of "
                          f"{', '.join(MODEL_TAGS)} (found {unknown or 'none'}); {fix}")
    values: dict[str, dict[str, float]] = {}
    for model, given in sections.items():
        vocabulary = MODEL_TAGS[model]
        if sorted(given) != sorted(vocabulary):
            missing = sorted(set(vocabulary) - set(given))[:3]
            raise ConfigError(f"the musicnn tag prior {source} must give every "
                              f"{MODEL_GROUP[model].upper()} tag "
                              f"of {model} (missing e.g. {missing}); {fix}")
        bad = [t for t, v in given.items() if not isinstance(v, int | float) or not 0 <= v <= 1]
        if bad:
            raise ConfigError(f"the musicnn tag prior {source}: {model} tag {bad[0]!r} must be a probability "
                              f"in [0, 1], got {given[bad[0]]!r}; {fix}")
        values[model] = {t: float(v) for t, v in given.items()}
    return TagPrior(values=values, tracks=int(data.get("tracks", 0)), source=str(data.get("source", "")),
                    path=source)


def read_excerpt(path: str | os.PathLike[str], seconds: float = EXCERPT_SECONDS) -> np.ndarray:
    """The middle ``seconds`` of a recording, mono, at the analysis rate (only that part is decoded)."""
    import soundfile
    import soxr
    from mirloop.errors import AudioError
    from mirloop.io.audio import ANALYSIS_SR

    try:
        with soundfile.SoundFile(os.fspath(path)) as sound:
            sr, frames = sound.samplerate, sound.frames
            length = min(frames, round(seconds * sr))
            if frames > length:
                sound.seek((frames - length) // 2)
            block = sound.read(length, dtype="float32", always_2d=True)
    except (OSError, RuntimeError, ValueError) as exc:  # soundfile's LibsndfileError is a RuntimeError
        raise AudioError(f"{path}: cannot decode it ({exc})") from exc
    if not block.size:
        raise AudioError(f"{path}: holds no samples")
    mono = block.mean(axis=1)
    return np.asarray(soxr.resample(mono, sr, ANALYSIS_SR) if sr != ANALYSIS_SR else mono, dtype=np.float32)


def track_tag_means(path: str | os.PathLike[str], *, weights: str | None = None,
                    seconds: float = EXCERPT_SECONDS,
                    models: Sequence[str] = DEFAULT_MODELS) -> dict[str, np.ndarray]:
    """Each of ``models``' mean tag probabilities over the middle ``seconds`` of one recording."""
    from mirloop.io.audio import ANALYSIS_SR
    from mirloop.signal import TrackContext
    from mirloop.types import Audio

    from mirloop_musicnn.track import track_outputs
    from mirloop_musicnn.weights import load_model

    ctx = TrackContext(Audio(read_excerpt(path, seconds), ANALYSIS_SR))
    return {name: track_outputs(ctx, load_model(name, weights), hop_seconds=3.0).tags.mean(axis=0)
            for name in models}


def measure_tag_prior(
    paths: Sequence[str | os.PathLike[str]],
    *,
    source: str,
    weights: str | None = None,
    seconds: float = EXCERPT_SECONDS,
    models: Sequence[str] = DEFAULT_MODELS,
    progress: Callable[[int, int, str, str | None], None] | None = None,
) -> TagPrior:
    """Each of ``models``' mean tag probabilities over ``paths`` (each recording counts once, whatever
    its length).

    A file that cannot be read is skipped and reported through ``progress(i, n, path, error)``;
    at least one must be read.
    """
    sums = {name: np.zeros(len(MODEL_TAGS[name])) for name in models}
    read = 0
    for i, path in enumerate(paths):
        error = None
        try:
            means = track_tag_means(path, weights=weights, seconds=seconds, models=models)
        except MirloopError as exc:
            error = str(exc)
        else:
            for name in sums:
                sums[name] += means[name]
            read += 1
        if progress is not None:
            progress(i + 1, len(paths), str(path), error)
    if not read:
        raise ConfigError(f"no recording could be read for the tag prior (of {len(paths)})")
    values = {name: dict(zip(MODEL_TAGS[name], (sums[name] / read).tolist(), strict=True)) for name in sums}
    return TagPrior(values=values, tracks=read, source=source)


def write_tag_prior(prior: TagPrior, path: str | os.PathLike[str]) -> Path:
    """Write ``prior`` as TOML, atomically."""
    target = Path(path)
    lines = [
        "# Mean musicnn tag probability over a corpus of real recordings (the middle "
        f"{EXCERPT_SECONDS:g} s of each),",
        "# the prior of the genre table's `lift` rule. Written by `mirloop-musicnn prior`; do not edit.",
        f"source = {toml_string(prior.source)}",
        f"tracks = {prior.tracks}",
    ]
    for model, values in prior.values.items():
        lines += ["", f"[{model}]"]
        lines += [f"{toml_string(tag)} = {values[tag]:.6g}" for tag in MODEL_TAGS[model]]
    return write_toml_lines(target, lines)

