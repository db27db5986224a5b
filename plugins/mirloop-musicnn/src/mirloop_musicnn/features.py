"""The ``musicnn`` feature extractor: musicnn's tags and embedding per analysis window."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from mirloop.errors import OptionError
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import FEATURE_NAMES, Features

from mirloop_musicnn.network import PENULTIMATE_UNITS
from mirloop_musicnn.tags import (
    DEFAULT_MODELS,
    MODEL_GROUP,
    checked_models,
    embedding_columns,
    model_columns,
    model_names,
)
from mirloop_musicnn.track import track_outputs, track_patches, window_means, window_members
from mirloop_musicnn.weights import load_model

#: Longest patch hop (seconds): beyond it a 10-s window may hold no patch of its own.
MAX_PATCH_HOP = 10.0


class MusicnnFeatures(Backend):
    """Per grid window (10 s, 2-s hop), the mean over the 3-s patches centred in the window of:

    ==========================  =====================================================================
    ``musicnn_mtt_<tag>``       50 tag probabilities of the MagnaTagATune model (``MTT_musicnn``)
    ``musicnn_msd_<tag>``       50 tag probabilities of the Million Song Dataset model (``MSD_musicnn``)
    ``musicnn_vgg_mtt_<tag>``   the same of musicnn's VGG baseline trained on MTT (``MTT_vgg``)
    ``musicnn_vgg_msd_<tag>``   and on MSD (``MSD_vgg``)
    ``musicnn_emb_<i>``         the MSD model's 200-unit penultimate layer (after its batch norm)
    ==========================  =====================================================================

    ``<tag>`` is the tag in lower case with other characters as ``_`` (``Hip-Hop`` → ``hip_hop``).
    Option ``models`` says which models' tag columns are made (``MTT_musicnn`` and
    ``MSD_musicnn`` by default), ``mtt`` and ``msd`` switch each vocabulary's models on or off.
    With ``librosa = true`` (the default) mirloop's 21 window features come first (with their ``pca_input``),
    so a classifier can be trained on the embeddings alone or beside them. The log-mel input
    and the network outputs are computed once per track; a track shorter than a patch is
    repeated to fill one, and a window that holds no patch centre takes the nearest patch.
    """

    name: ClassVar[str] = "musicnn"
    stage: ClassVar[str] = "features"
    summary: ClassVar[str] = "musicnn MTT/MSD tag probabilities and MSD embedding per window (NumPy)"
    options: ClassVar[dict[str, Option]] = {
        "models": Option(DEFAULT_MODELS, model_names, "the models whose tag probabilities are columns: "
                         "any of "
                         "MTT_musicnn, MSD_musicnn, MTT_vgg, MSD_vgg (list, or comma-separated)"),
        "mtt": Option(True, bool, "the 50 MTT tag probabilities of each MTT model of `models` "
                                  "(musicnn_mtt_<tag>, "
                                  "musicnn_vgg_mtt_<tag>)"),
        "msd": Option(True, bool, "the 50 MSD tag probabilities of each MSD model of `models` "
                                  "(musicnn_msd_<tag>, "
                                  "musicnn_vgg_msd_<tag>)"),
        "embedding": Option(True, bool, f"the MSD model's {PENULTIMATE_UNITS}-unit penultimate embedding "
                                        "(musicnn_emb_<i>)"),
        "librosa": Option(True, bool, "also mirloop's 21 librosa window features, first (what the fused "
                                      "classifier's trained model reads)"),
        "patch_hop": Option(3.0, float, "seconds between the starts of the 3-s patches (3 = no overlap)"),
        "weights": Option("", str, "folder of the exported weights (default: $MIRLOOP_MUSICNN_WEIGHTS, "
                                   "else ~/.cache/mirloop/musicnn-weights)"),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.opts["models"] = checked_models(self.opts["models"],
                                             what=f"option 'models' of backend {self.name!r}")
        if not (self.opts["mtt"] or self.opts["msd"] or self.opts["embedding"] or self.opts["librosa"]):
            raise OptionError("the musicnn features backend has every group switched off (mtt, msd, "
                              "embedding, librosa); switch on at least one, e.g. --set features.mtt=true")
        hop = self.opts["patch_hop"]
        if not 0.0 < hop <= MAX_PATCH_HOP:
            raise OptionError(f"option 'patch_hop' of backend 'musicnn' must be in (0, {MAX_PATCH_HOP:g}] "
                              f"seconds, got {hop!r}")

    @property
    def tagging_models(self) -> tuple[str, ...]:
        """The models whose tag columns are made: those of ``models`` whose vocabulary is switched on."""
        return tuple(m for m in self.opts["models"] if self.opts[MODEL_GROUP[m]])

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order, for the configured groups."""
        names: tuple[str, ...] = FEATURE_NAMES if self.opts["librosa"] else ()
        for model in self.tagging_models:
            names += model_columns(model)
        if self.opts["embedding"]:
            names += embedding_columns(PENULTIMATE_UNITS)
        return names

    def extract(self, ctx: TrackContext) -> Features:
        blocks: list[np.ndarray] = []
        pca_input = None
        if self.opts["librosa"]:
            from mirloop.backends.librosa.features import LibrosaFeatures

            librosa_features = LibrosaFeatures().extract(ctx)
            blocks.append(librosa_features.values.astype(np.float64))
            pca_input = librosa_features.pca_input
        hop = self.opts["patch_hop"]
        if self.tagging_models or self.opts["embedding"]:
            members = window_members(track_patches(ctx, hop_seconds=hop).centers, ctx.grid)
            folder = self.opts["weights"] or None
            for model in self.tagging_models:
                outputs = track_outputs(ctx, load_model(model, folder), hop_seconds=hop)
                blocks.append(window_means(outputs.tags, members))
            if self.opts["embedding"]:
                msd = track_outputs(ctx, load_model("MSD_musicnn", folder), hop_seconds=hop)
                blocks.append(window_means(msd.penultimate, members))
        return Features(
            grid=ctx.grid, values=np.hstack(blocks), names=self.names, pca_input=pca_input, backend=self.name
        )
