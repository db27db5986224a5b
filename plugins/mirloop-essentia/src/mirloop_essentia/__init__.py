"""mirloop backends on Essentia (AGPL-3.0): features, tempo, key and segmenter named ``essentia``."""

from mirloop_essentia.features import EssentiaFeatures
from mirloop_essentia.key import EssentiaKey
from mirloop_essentia.segmenter import EssentiaSegmenter
from mirloop_essentia.tempo import EssentiaTempo

__all__ = ["EssentiaFeatures", "EssentiaKey", "EssentiaSegmenter", "EssentiaTempo"]
