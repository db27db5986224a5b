"""The shared analysis signal of a track: :class:`TrackContext` and its representations."""

from mirloop.signal.context import ANALYSIS_SR, TrackContext
from mirloop.signal.tempo import TempoSettings

__all__ = ["ANALYSIS_SR", "TempoSettings", "TrackContext"]
