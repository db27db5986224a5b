"""Value types shared by every layer (not a trained model: that is :mod:`mirloop.classify.model`).

No I/O and no heavy imports here. See "Words" in docs/architecture.md for what "model" means.
"""

from mirloop.types.analysis import Analysis
from mirloop.types.audio import Audio
from mirloop.types.damage import AudioDamage
from mirloop.types.descriptor import Band, Descriptor, Instrument, Style
from mirloop.types.estimates import Key, KeyEstimate, Segment, Segmentation, TempoEstimate
from mirloop.types.features import FEATURE_NAMES, Features, Projection
from mirloop.types.grid import HOP_SECONDS, WINDOW_SECONDS, Grid
from mirloop.types.prediction import Prediction, TargetPrediction
from mirloop.types.render import GroundTruth, RegionTruth, RenderResult

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
