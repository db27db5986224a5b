"""A second listener beside the loop's classifier: each input segment as another classifier hears it.

The loop's descriptor classifier learnt from renders; a *peer* (typically a tagger trained on
real music, e.g. the ``musicnn`` backends of the mirloop-musicnn plugin) shows, per input
segment, whether real-music knowledge agrees. The peer listens to the same analysed signal
(after separation), with its own feature and classifier backends; it never changes what is
rendered.

A peer is named ``CLASSIFIER`` or ``CLASSIFIER:FEATURES`` (feature backend defaults to the
classifier's name, as for ``musicnn``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mirloop.errors import ConfigError
from mirloop.loop.merge import merged_grid
from mirloop.loop.reduce import label_probability, segment_majorities

if TYPE_CHECKING:
    import pandas as pd

    from mirloop.config import Config
    from mirloop.pipelines.analyze import AnalysisRun
    from mirloop.types import Segment

#: The peer ``--peer auto`` picks when its plugin is installed.
AUTO_PEER = "musicnn:musicnn"
#: Targets of the peer shown per segment (those it predicts).
PEER_TARGETS = ("genre", "mood")


def parse_peer(spec: str) -> tuple[str, str]:
    """``(classifier, features)`` backend names of a peer spec."""
    classifier, _, features = spec.strip().partition(":")
    if not classifier:
        raise ConfigError(f"a peer is named CLASSIFIER or CLASSIFIER:FEATURES, got {spec!r}")
    return classifier, features or classifier


def resolve_peer(spec: str) -> str:
    """``auto`` → :data:`AUTO_PEER` when its backends are installed, else ``""``; ``none`` → ``""``;
    any other spec is checked against the installed backends (unknown names raise)."""
    from mirloop.plugins import registry

    reg = registry()
    if spec in ("", "none"):
        return ""
    if spec == "auto":
        classifier, features = parse_peer(AUTO_PEER)
        installed = classifier in reg.names("classifier") and features in reg.names("features")
        return AUTO_PEER if installed else ""
    classifier, features = parse_peer(spec)
    reg.get("classifier", classifier)
    reg.get("features", features)
    return f"{classifier}:{features}"


def peer_config(config: Config, spec: str) -> Config:
    """The analysis configuration of the peer: its features and classifier, nothing else."""
    classifier, features = parse_peer(spec)
    return config.merged(
        {
            "separator": {"backend": "none"},
            "tempo": {"backend": "none"},
            "key": {"backend": "none"},
            "segmenter": {"backend": "none"},
            "features": {"backend": features},
            "classifier": {"backend": classifier},
        },
        f"loop peer {spec}",
    )


def peer_segments(run: AnalysisRun, segments: Sequence[Segment], config: Config, spec: str) -> pd.DataFrame:
    """Per segment, the peer's majority label and its mean probability for :data:`PEER_TARGETS`
    (columns ``peer_<target>`` and ``peer_<target>_probability``). When the track was analysed with
    the peer's feature backend and options, its features are reused and only the peer's
    classifier runs."""
    import pandas as pd

    from mirloop.pipelines.analyze import analyze_samples

    peer_cfg = peer_config(config, spec)
    features = run.analysis.features
    if features is not None and features.backend == peer_cfg.backend("features") and (
        config.options("features") == peer_cfg.options("features")
    ):  # the track's own features serve the peer too: only its classifier runs
        from attrs import evolve

        from mirloop.plugins import registry

        name, options = peer_cfg.backend("classifier"), peer_cfg.options("classifier")
        classifier = registry().create("classifier", name, options)
        peer = evolve(run.analysis, prediction=classifier.predict(features), segmentation=None)
    else:
        peer = analyze_samples(run.context.audio, config=peer_cfg).analysis
    merged = merged_grid(peer)
    targets = [t for t in PEER_TARGETS if t in merged.columns]
    rows = []
    for segment, majority in zip(segments, segment_majorities(merged, segments)):
        row: dict[str, Any] = {}
        for target in targets:
            row[f"peer_{target}"] = majority[target]
            row[f"peer_{target}_probability"] = label_probability(merged, segment, target, majority[target])
        rows.append(row)
    return pd.DataFrame(rows, columns=[c for t in targets for c in (f"peer_{t}", f"peer_{t}_probability")])
