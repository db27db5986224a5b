"""Worker processes keep large arrays on the heap even when Dask's nanny environment
(``MALLOC_TRIM_THRESHOLD_``) has switched off glibc's own adaptation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mirloop.allocator import MMAP_THRESHOLD

glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None, reason="glibc only"
)
ROOT = Path(__file__).resolve().parents[2]
#: A spectrogram-sized block: above glibc's fixed 128 KiB threshold, below the tuned one.
BLOCK = 4 * 1024 * 1024


def _in_fresh_process(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, cwd=ROOT,
        capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


@glibc
def test_the_tuned_allocator_serves_large_arrays_from_the_heap_under_dasks_environment() -> None:
    code = (
        "from tests.executors.tasks import mapped_on_its_own as m\n"
        "from mirloop.allocator import tune_allocator as t\n"
        f"print(m({BLOCK}), t(), m({BLOCK}), m({2 * MMAP_THRESHOLD}))"
    )
    # mapped on its own before, tuned, from the heap after, and a block above the threshold still mapped
    assert _in_fresh_process(code, MALLOC_TRIM_THRESHOLD_="65536") == "True True False True"


@glibc
def test_local_workers_tune_their_allocator(tmp_path: Path) -> None:
    from mirloop.executors import LocalExecutor
    from tests.executors.tasks import mapped_on_its_own

    os.environ["MALLOC_TRIM_THRESHOLD_"] = "65536"  # what a LocalCluster's nanny leaves behind
    try:
        with LocalExecutor(2) as executor:
            executor.start()
            jobs = [(BLOCK,)] * 4
            answers = [answer for _, answer in executor.run(mapped_on_its_own, jobs, ids=list("abcd"))]
    finally:
        del os.environ["MALLOC_TRIM_THRESHOLD_"]
    assert answers == [False] * 4


@glibc
@pytest.mark.parametrize("pool", ["batch jobs", "process pool"])
def test_every_mirloop_worker_pool_tunes_its_allocator(pool: str) -> None:
    from mirloop.parallel import process_pool, run_jobs
    from tests.executors.tasks import mapped_on_its_own

    os.environ["MALLOC_TRIM_THRESHOLD_"] = "65536"  # as a user's Dask worker running mirloop has it
    try:
        if pool == "batch jobs":
            answers = [answer for _, answer in run_jobs(mapped_on_its_own, [(BLOCK,)] * 2, workers=2)]
        else:
            with process_pool(2) as workers:
                answers = list(workers.map(mapped_on_its_own, [BLOCK] * 2))
    finally:
        del os.environ["MALLOC_TRIM_THRESHOLD_"]
    assert answers == [False, False]
