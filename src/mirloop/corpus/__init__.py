"""Corpus analysis: many tracks (a folder, a list file or the FMA metadata layout) analysed on an
executor into a partitioned Parquet dataset and one JAMS per track."""

from __future__ import annotations

from mirloop.corpus.run import CorpusReport, analyze_corpus
from mirloop.corpus.sources import CorpusTrack, read_corpus

__all__ = ["CorpusReport", "CorpusTrack", "analyze_corpus", "read_corpus"]
