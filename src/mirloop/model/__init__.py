"""Value types shared by every layer (not a trained model: that is :mod:`mirloop.classify.model`).

No I/O and no heavy imports here. See "Words" in docs/architecture.md for what "model" means.
"""

from mirloop.model.analysis import Analysis
from mirloop.model.audio import Audio
from mirloop.model.damage import AudioDamage
from mirloop.model.descriptor import Band, Descriptor, Instrument, Style
from mirloop.model.estimates import Key, KeyEstimate, Segment, Segmentation, TempoEstimate
from mirloop.model.features import FEATURE_NAMES, Features, Projection
from mirloop.model.grid import HOP_SECONDS, WINDOW_SECONDS, Grid
from mirloop.model.prediction import Prediction, TargetPrediction
from mirloop.model.render import GroundTruth, RegionTruth, RenderResult

__all__ = [
    "FEATURE_NAMES",
    "HOP_SECONDS",
    "WINDOW_SECONDS",
    "Analysis",
    "Audio",
    "AudioDamage",
    "Band",
    "Descriptor",
    "Features",
    "Grid",
    "GroundTruth",
    "Instrument",
    "Key",
    "KeyEstimate",
    "Prediction",
    "Projection",
    "RegionTruth",
    "RenderResult",
    "Segment",
    "Segmentation",
    "Style",
    "TargetPrediction",
    "TempoEstimate",
]
