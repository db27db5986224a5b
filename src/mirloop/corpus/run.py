"""Analyse a corpus on an executor: skip the tracks already done, run the rest, write the summary.

The output (a folder or an fsspec URL) holds ``tracks/`` — a Parquet dataset partitioned by genre
(``tracks/genre=Rock/000002.parquet``; :func:`read_table` reads it whole, as does any reader of
Hive-partitioned Parquet) —
``jams/<id>.jams`` for every track, and ``summary.json`` (counts and every failure, once). A rerun
analyses only the tracks without a row; a track that failed is tried again. The half-written
temporaries of a task whose worker was killed are removed when the run ends (and when the next
one starts).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attrs import frozen

from mirloop.corpus.sources import Corpus, read_corpus
from mirloop.corpus.storage import Store
from mirloop.corpus.task import TABLE_DIR, analyze_corpus_track
from mirloop.executors.base import Executor, file_costs

#: The run's summary, next to ``tracks/`` and ``jams/``.
SUMMARY_FILE = "summary.json"


@frozen
class CorpusReport:
    """What a run did: tracks in the corpus, already done, analysed now, failed (id, source,
    error); the wall time and the tasks' own seconds (s)."""

    output: str
    planned: int
    already_done: int
    made: int
    failures: tuple[dict[str, Any], ...]
    wall_seconds: float
    task_seconds: float
    workers: int
    executor: str
    missing_audio: int = 0
    interrupted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "planned": self.planned,
            "already_done": self.already_done,
            "made": self.made,
            "n_failed": len(self.failures),
            "failed": list(self.failures),
            "missing_audio": self.missing_audio,
            "wall_seconds": round(self.wall_seconds, 3),
            "task_seconds": round(self.task_seconds, 3),
            "workers": self.workers,
            "executor": self.executor,
            "interrupted": self.interrupted,
        }


def done_ids(store: Store) -> set[str]:
    """The ids of the tracks whose row is in the output."""
    return {Path(name).stem for name in store.glob(f"{TABLE_DIR}/*/*.parquet")}


def analyze_corpus(
    source: str | os.PathLike[str] | Corpus,
    output: str | os.PathLike[str],
    *,
    executor: Executor,
    config: Any = None,
    audio_root: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> CorpusReport:
    """Analyse every track of ``source`` (:func:`mirloop.corpus.sources.read_corpus`, or a
    :class:`Corpus`) not yet done in ``output`` on ``executor``; see the module docstring.

    A track that fails, or whose worker died on every attempt, is listed once in the report and
    the summary; the others go on. Ctrl-C writes the summary of what finished and raises
    :class:`mirloop.parallel.Interrupted`.
    """
    from mirloop.executors.base import TaskLost
    from mirloop.executors.progress import TaskProgress
    from mirloop.parallel import Interrupted
    from mirloop.pipelines.analyze import resolve_analysis_config

    corpus = source if isinstance(source, Corpus) else read_corpus(source, audio_root=audio_root)
    resolved = resolve_analysis_config(config)
    store = Store(output)
    store.remove_temporaries()  # left by the killed tasks of an earlier run
    done = done_ids(store)
    todo = [track for track in corpus.tracks if track.track_id not in done]
    jobs = [(track, str(output), resolved) for track in todo]
    results: dict[int, dict[str, Any]] = {}
    started = time.perf_counter()
    costs = file_costs([t.path for t in todo])
    bar = TaskProgress(len(corpus.tracks), initial=len(corpus.tracks) - len(todo), unit="track",
                       desc="corpus", enabled=progress, costs=costs)

    def report(interrupted: bool = False) -> CorpusReport:
        finished = list(results.values())
        failures = tuple(
            {"track_id": r["track_id"], "source": todo[i].path, "error": r["error"]}
            for i, r in sorted(results.items()) if not r["ok"]
        )
        made = CorpusReport(
            output=str(output), planned=len(corpus.tracks), already_done=len(corpus.tracks) - len(todo),
            made=sum(1 for r in finished if r["ok"]), failures=failures,
            wall_seconds=time.perf_counter() - started, task_seconds=sum(r["seconds"] for r in finished),
            workers=executor.workers, executor=executor.kind, missing_audio=corpus.missing_audio,
            interrupted=interrupted,
        )
        store.write_text(SUMMARY_FILE, json.dumps(made.to_dict(), indent=2))
        return made

    try:
        with bar:
            for index, outcome in executor.run(analyze_corpus_track, jobs, ids=[t.track_id for t in todo],
                                                  costs=costs):
                if isinstance(outcome, TaskLost):
                    outcome = {"track_id": todo[index].track_id, "ok": False, "seconds": 0.0,
                               "duration": None, "error": f"{todo[index].path}: {outcome.error}"}
                results[index] = outcome
                bar.update(ok=outcome["ok"], cost=costs[index])
    except KeyboardInterrupt:
        made = report(interrupted=True)
        not_started = [t.path for i, t in enumerate(todo) if i not in results]
        raise Interrupted(list(results.values()), not_started, report=made) from None
    store.remove_temporaries()  # left by workers killed mid-write in this run (their tasks were redone)
    return report()


def read_table(output: str | os.PathLike[str]) -> Any:
    """The corpus table of ``output`` as a DataFrame (every partition; ``genre`` from the folders)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    store = Store(output)
    partitioning = ds.partitioning(pa.schema([("genre", pa.string())]), flavor="hive")
    dataset = ds.dataset(store.path(TABLE_DIR), filesystem=store.fs, format="parquet",
                         partitioning=partitioning)
    return dataset.to_table().to_pandas()


def failed_sources(report: CorpusReport) -> Sequence[str]:
    return [failure["source"] for failure in report.failures]
