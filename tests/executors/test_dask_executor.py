"""Batches on a Dask cluster: the same outputs as local processes, and no result lost or doubled
when a worker is killed mid-run, a track is poisoned or a run is repeated."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import mirloop
from mirloop.corpus import analyze_corpus
from mirloop.corpus.run import read_table
from mirloop.executors import TaskLost
from mirloop.executors.state import cached_backends
from mirloop.pipelines.batch import analyze_tracks
from tests.corpus.fma_fixture import make_fma
from tests.executors.test_launch_order import SECONDS, starts
from tests.pipelines.audio_files import pulse_track, write
from tests.pipelines.toy_backends import TOY_CONFIG

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")

#: Twelve FMA tracks across three genres.
MANY = tuple(
    (tid, ("Rock", "Jazz", "Folk")[tid % 3], "[1]", "small", "training", 120.0) for tid in range(10, 22)
)


def slow(seconds: float) -> dict[str, Any]:
    """The toy configuration with a tempo stage that takes ``seconds`` per track."""
    return {**TOY_CONFIG, "tempo": {"backend": "fragile", "sleep": seconds}}


def test_backends_load_once_per_worker_not_once_per_task(dask_executor: Any, tmp_path: Path) -> None:
    table, audio = make_fma(tmp_path, seconds=1.0, tracks=MANY[:6])
    config = slow(0.0123)  # options no other test uses: these backends are this run's

    report = analyze_corpus(table, tmp_path / "out", executor=dask_executor, config=config, audio_root=audio)

    assert report.made == 6 and report.executor == "dask" and report.workers == 2
    held = dask_executor.client.run(cached_backends)
    mine = [[key for key in keys if "0.0123" in key[2]] for keys in held.values()]
    assert [len(keys) for keys in mine if keys] in ([1], [1, 1])  # one tempo backend per worker


def test_analyze_on_dask_writes_what_local_processes_write(dask_executor: Any, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    inputs = [write(tmp_path / "in" / f"{name}.wav", pulse_track(3.0), 22050) for name in "abcd"]

    local = analyze_tracks(inputs, tmp_path / "local", config=TOY_CONFIG, figure=False)
    remote = analyze_tracks(
        inputs, tmp_path / "dask", config=TOY_CONFIG, figure=False, executor=dask_executor
    )

    assert [(r.ok, r.tempo_bpm, r.key, Path(r.folder).name) for r in remote] == [
        (r.ok, r.tempo_bpm, r.key, Path(r.folder).name) for r in local
    ]
    def files(folder: Path) -> list[str]:
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))

    assert files(tmp_path / "local") == files(tmp_path / "dask")
    for name in "abcd":
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "local" / name / f"{name}.grid.parquet"),
            pd.read_parquet(tmp_path / "dask" / name / f"{name}.grid.parquet"),
        )


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing_a_poisoned_track_is_reported_once(
    dask_executor: Any, tmp_path: Path
) -> None:
    table, audio = make_fma(tmp_path, seconds=1.0, tracks=MANY)
    poisoned = audio / "000" / "000013.mp3"
    poisoned.write_bytes(b"ID3 not audio")
    out = tmp_path / "out"
    pids = dask_executor.client.run(os.getpid)
    victim = next(iter(pids.values()))

    def kill_when_the_first_row_lands() -> None:
        deadline = time.monotonic() + 60
        while not list((out / "tracks").glob("*/*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(victim, signal.SIGKILL)  # mid-task: every task sleeps 0.4 s in its tempo stage

    killer = threading.Thread(target=kill_when_the_first_row_lands)
    killer.start()
    report = analyze_corpus(table, out, executor=dask_executor, config=slow(0.4), audio_root=audio)
    killer.join()

    assert victim not in dask_executor.client.run(os.getpid).values()  # the worker did die
    healthy = [f"{tid:06d}" for tid, *_ in MANY if tid != 13]
    assert report.made == 11
    assert [(f["track_id"], f["source"]) for f in report.failures] == [("000013", str(poisoned))]
    rows = read_table(out)
    assert sorted(rows.track_id) == healthy  # each once: no loss, no duplicate
    assert sorted(p.name for p in (out / "jams").iterdir()) == [f"{tid}.jams" for tid in healthy]
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]  # no half-written file left behind
    assert dict(zip(rows.track_id, rows.genre)) == {f"{tid:06d}": g for tid, g, *_ in MANY if tid != 13}

    again = analyze_corpus(table, out, executor=dask_executor, config=slow(0.4), audio_root=audio)

    assert (again.already_done, again.made, len(again.failures)) == (11, 0, 1)  # only the poison retried
    dask_executor.client.wait_for_workers(2, timeout=180)  # the nanny's new worker, for the next tests


def test_a_result_lost_with_its_worker_after_it_finished_is_computed_again_not_reported_lost(
    dask_executor: Any, tmp_path: Path
) -> None:
    import distributed
    from distributed import as_completed

    from mirloop.executors.dask import _outcome
    from tests.executors.tasks import slower_when_repeated

    client = dask_executor.client
    future = client.submit(slower_when_repeated, str(tmp_path / "ran"), 42, pure=False)
    (finished,) = list(as_completed([future]))  # yielded as finished, as in DaskExecutor.run
    holder = next(iter(client.who_has(future)[future.key]))
    os.kill(client.run(os.getpid, workers=[holder])[holder], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while finished.status == "finished" and time.monotonic() < deadline:
        time.sleep(0.005)  # the scheduler learns that the result went with its worker

    assert finished.status != "finished"  # being computed again (it takes 1.5 s now)
    assert _outcome(finished, distributed) == 42
    client.wait_for_workers(2, timeout=180)  # the nanny's new worker, for the next tests


def test_short_jobs_travel_in_chunks_and_come_back_one_by_one(dask_executor: Any) -> None:
    from distributed import get_task_stream

    from tests.executors.tasks import pid_after

    jobs = [(0.005,)] * 80
    with get_task_stream(dask_executor.client) as stream:
        outcomes = dict(dask_executor.run(pid_after, jobs, ids=[f"j{i}" for i in range(80)]))

    assert sorted(outcomes) == list(range(80))  # every index once
    assert all(isinstance(pid, int) for pid in outcomes.values())
    assert len(stream.data) < 40  # the first jobs one by one, then chunks


def scheduled_keys(dask_scheduler: Any) -> list[str]:
    return [str(entry[0]) for entry in dask_scheduler.transition_log]


def chunked(client: Any, prefix: str) -> list[range]:
    """The jobs each chunk the scheduler saw held, from its key (``NAME-{prefix}{first}+{more}-RUN``)."""
    found = (re.search(rf"-{prefix}(\d+)\+(\d+)-", key) for key in client.run_on_scheduler(scheduled_keys))
    return [range(int(m[1]), int(m[1]) + int(m[2]) + 1) for m in found if m]


def test_a_job_that_raises_in_a_chunk_is_reported_alone(dask_executor: Any) -> None:
    from tests.executors.tasks import pid_or_fail

    jobs = [(i == 25,) for i in range(40)]
    outcomes = dict(dask_executor.run(pid_or_fail, jobs, ids=[f"f{i}" for i in range(40)]))

    assert any(25 in chunk for chunk in chunked(dask_executor.client, "f"))
    raised = outcomes.pop(25)
    assert isinstance(raised, TaskLost) and raised.error == "ValueError: asked to fail"
    assert sorted(outcomes) == [i for i in range(40) if i != 25]
    assert all(isinstance(pid, int) for pid in outcomes.values())


@pytest.mark.parametrize("culprit", [0, 25], ids=["first-job", "in-a-chunk"])
def test_a_job_that_takes_its_worker_down_is_reported_alone_the_others_run(
    dask_executor: Any, culprit: int
) -> None:
    from tests.executors.tasks import pid_or_die

    jobs = [(i == culprit,) for i in range(40)]
    prefix = f"d{culprit}-"  # this run's keys apart from the other parameter's in the scheduler's log
    outcomes = dict(dask_executor.run(pid_or_die, jobs, ids=[f"{prefix}{i}" for i in range(40)]))

    lost = outcomes.pop(culprit)
    assert isinstance(lost, TaskLost) and "died on every attempt" in lost.error
    assert sorted(outcomes) == [i for i in range(40) if i != culprit]
    assert all(isinstance(pid, int) for pid in outcomes.values())  # none lost beside it
    assert any(culprit in chunk for chunk in chunked(dask_executor.client, prefix)) == (culprit > 0)
    dask_executor.client.wait_for_workers(2, timeout=180)  # the nanny's new worker, for the next tests


def test_a_worker_killed_mid_chunk_loses_nothing(dask_executor: Any) -> None:
    from tests.executors.tasks import pid_after

    victim = next(iter(dask_executor.client.run(os.getpid).values()))
    outcomes = {}
    for index, outcome in dask_executor.run(pid_after, [(0.01,)] * 150, ids=[f"k{i}" for i in range(150)]):
        outcomes[index] = outcome
        if len(outcomes) == 10:  # the first chunks are out: both workers are on one
            os.kill(victim, signal.SIGKILL)

    assert victim not in dask_executor.client.run(os.getpid).values()  # the worker did die
    assert chunked(dask_executor.client, "k")  # the jobs did travel in chunks
    assert sorted(outcomes) == list(range(150))
    assert all(isinstance(pid, int) for pid in outcomes.values())  # its chunk ran again elsewhere
    dask_executor.client.wait_for_workers(2, timeout=180)


def test_where_the_tasks_run_and_the_dashboard_are_named(dask_executor: Any) -> None:
    line = dask_executor.describe()

    assert line.startswith("dask scheduler tcp://") and "2 worker(s)" in line
    assert "dashboard http://" in line


def test_the_cli_runs_on_the_scheduler_the_environment_names_and_prints_where(
    dask_executor: Any, toy_site: Path, tmp_path: Path
) -> None:
    table, audio = make_fma(tmp_path, seconds=1.0, tracks=MANY[:4])
    sources = Path(mirloop.__file__).resolve().parents[1]
    env = {
        **os.environ,
        "MIRLOOP_SCHEDULER": dask_executor.client.scheduler.address,
        "PYTHONPATH": os.pathsep.join(map(str, (sources, sources.parent, toy_site))),
    }
    toy = [f"--use={stage}=toy" for stage in ("features", "tempo", "key", "segmenter")]
    command = [
        sys.executable, "-m", "mirloop.cli.main", "corpus", "analyze", str(table), "--audio-root", str(audio),
        "-o", str(tmp_path / "out"), *toy,
    ]

    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stderr
    where = dask_executor.client.scheduler.address
    assert f"running on dask scheduler {where}: 2 worker(s); dashboard http://" in run.stderr
    assert "4 track(s) analysed, 0 already done, 0 failed of 4 (2 dask worker(s)" in run.stdout


def test_dataset_generate_on_dask_makes_the_dataset_local_processes_make(
    dask_executor: Any, tmp_path: Path
) -> None:
    from mirloop.dataset.generate import generate_dataset

    settings: dict[str, Any] = {"per_descriptor": 1, "durations": [2.0], "limit_descriptors": 1,
                                "progress": False}
    local = generate_dataset(tmp_path / "local", workers=1, **settings)
    remote = generate_dataset(tmp_path / "dask", executor=dask_executor, **settings)

    assert (local.made, remote.made, remote.collected, remote.workers) == (1, 1, True, 2)
    timings = ["render_seconds", "feature_seconds", "job_seconds"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "local" / "manifest.parquet").drop(columns=timings),
        pd.read_parquet(tmp_path / "dask" / "manifest.parquet").drop(columns=timings),
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "local" / "features.parquet"),
        pd.read_parquet(tmp_path / "dask" / "features.parquet"),
    )


def test_dask_workers_tune_their_allocator_and_leave_this_process_environment_alone(
    dask_executor: Any,
) -> None:
    from tests.executors.tasks import BLOCK, mapped_on_its_own

    answers = dask_executor.client.run(mapped_on_its_own, BLOCK)

    assert len(answers) == 2 and not any(answers.values())  # a 4 MiB array comes from the heap
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ  # nor inherited by later child processes


def test_two_dask_workers_start_the_longest_task_first(dask_executor: Any) -> None:
    assert 5 in starts(dask_executor, SECONDS)[:2]


def profiling(dask_worker: Any) -> bool:
    return "profile" in dask_worker.periodic_callbacks


def test_the_local_clusters_workers_do_not_sample_their_tasks_stacks(dask_executor: Any) -> None:
    assert set(dask_executor.client.run(profiling).values()) == {False}
