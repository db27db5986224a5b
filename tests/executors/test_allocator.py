"""Worker processes keep large arrays on the heap even when Dask's nanny environment
(``MALLOC_TRIM_THRESHOLD_``) has switched off glibc's own adaptation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mirloop.allocator import MMAP_THRESHOLD
from tests.executors.tasks import BLOCK, mapped_on_its_own

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None, reason="glibc only"
)
ROOT = Path(__file__).resolve().parents[2]


def test_the_tuned_allocator_serves_large_arrays_from_the_heap_under_dasks_environment() -> None:
    code = (
        "from tests.executors.tasks import mapped_on_its_own as m\n"
        "from mirloop.allocator import tune_allocator as t\n"
        f"print(m({BLOCK}), t(), m({BLOCK}), m({2 * MMAP_THRESHOLD}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}, cwd=ROOT,
        capture_output=True, text=True, check=True,
    )
    # mapped on its own before, tuned, from the heap after, and a block above the threshold still mapped
    assert done.stdout.strip() == "True True False True"


@pytest.mark.parametrize("pool", ["local executor", "batch jobs", "process pool"])
def test_every_mirloop_worker_pool_tunes_its_allocator(pool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from mirloop.executors import LocalExecutor
    from mirloop.parallel import process_pool, run_jobs

    # what a LocalCluster's nanny leaves behind, or a user's Dask worker running mirloop has
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    jobs = [(BLOCK,)] * 4
    if pool == "local executor":
        with LocalExecutor(2) as executor:
            executor.start()
            answers = [answer for _, answer in executor.run(mapped_on_its_own, jobs, ids=list("abcd"))]
    elif pool == "batch jobs":
        answers = [answer for _, answer in run_jobs(mapped_on_its_own, jobs, workers=2)]
    else:
        with process_pool(2) as workers:
            answers = list(workers.map(mapped_on_its_own, [BLOCK] * 4))
    assert answers == [False] * 4
