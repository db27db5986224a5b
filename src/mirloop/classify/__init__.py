"""Hierarchical descriptor classifiers: training, safe model files, open-set answers, evaluation.

Heavy libraries (scikit-learn) load only inside the functions that need them.
"""

from mirloop.classify.hierarchy import ALL_TARGETS, DESCRIPTOR_TARGET, PARENT_PATH
from mirloop.classify.model import FORMAT_VERSION, HierarchicalModel, ModelInfo
from mirloop.classify.windows import LabeledWindows

__all__ = [
    "ALL_TARGETS",
    "DESCRIPTOR_TARGET",
    "FORMAT_VERSION",
    "PARENT_PATH",
    "HierarchicalModel",
    "LabeledWindows",
    "ModelInfo",
]
