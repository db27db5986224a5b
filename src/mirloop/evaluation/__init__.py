"""Side-by-side evaluation of the installed backends of a stage on an annotated dataset.

A dataset is a folder of audio files, each with a JAMS (or CSV) annotation of the same stem
(see :mod:`mirloop.evaluation.annotations`). :func:`compare_backends` runs every installed
tempo, key or segmenter backend on every file and scores it with mir_eval-style metrics
(:mod:`mirloop.evaluation.metrics`); :mod:`mirloop.evaluation.report` writes the tables.
"""

from mirloop.evaluation.annotations import Truth, read_truth
from mirloop.evaluation.dataset import DatasetItem, find_items
from mirloop.evaluation.metrics import boundary_f, key_score, tempo_accuracy
from mirloop.evaluation.runner import METRICS, BackendSummary, Comparison, FileResult, compare_backends

__all__ = [
    "METRICS",
    "BackendSummary",
    "Comparison",
    "DatasetItem",
    "FileResult",
    "Truth",
    "boundary_f",
    "compare_backends",
    "find_items",
    "key_score",
    "read_truth",
    "tempo_accuracy",
]
