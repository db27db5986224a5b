"""Chunks of short jobs for remote workers: their size follows the jobs' measured seconds and
shrinks as the batch ends; a job that raises fails only itself."""

from __future__ import annotations

from mirloop.executors.chunks import SHARE_PER_SLOT, TARGET_SECONDS, ChunkSizer, JobRaised, run_chunk
from tests.executors.tasks import pid_or_fail


def test_the_first_jobs_go_alone_until_every_slot_has_timed_one() -> None:
    sizer = ChunkSizer()
    assert sizer.size(100, 2) == 1
    sizer.timed(0.01)
    assert sizer.size(99, 2) == 1
    sizer.timed(0.01)
    assert sizer.size(98, 2) > 1


def test_a_chunk_holds_the_target_seconds_of_work() -> None:
    sizer = ChunkSizer()
    for _ in range(4):
        sizer.timed(0.05)
    assert sizer.size(1000, 2) == int(TARGET_SECONDS / 0.05)


def test_chunks_grow_as_the_jobs_get_shorter() -> None:
    sizer = ChunkSizer()
    for _ in range(4):
        sizer.timed(2.0)  # the longest first: full tracks
    assert sizer.size(1000, 2) == 1
    for _ in range(20):
        sizer.timed(0.05)  # then clips
    assert sizer.size(1000, 2) >= int(TARGET_SECONDS / 0.05) - 1


def test_chunks_shrink_to_single_jobs_as_the_batch_ends() -> None:
    sizer = ChunkSizer()
    for _ in range(4):
        sizer.timed(0.001)
    sizes, left = [], 60
    while left:
        sizes.append(sizer.size(left, 2))
        left -= sizes[-1]
    assert sizes[0] == 60 // (SHARE_PER_SLOT * 2)
    assert sizes == sorted(sizes, reverse=True) and sizes[-3:] == [1, 1, 1]


def test_long_jobs_and_instant_jobs_are_sized_without_fault() -> None:
    slow, instant = ChunkSizer(), ChunkSizer()
    for _ in range(2):
        slow.timed(3.0)
        instant.timed(0.0)
    assert slow.size(50, 2) == 1
    assert instant.size(50, 2) == 13  # bounded by the share of what is left, not by the time
    assert instant.size(0, 2) == 0


def test_a_job_that_raises_fails_alone_and_the_chunk_goes_on() -> None:
    results = run_chunk(pid_or_fail, [(False,), (True,), (False,)])

    outcomes = [outcome for _, outcome in results]
    assert outcomes[1] == JobRaised("ValueError: asked to fail")
    assert isinstance(outcomes[0], int) and outcomes[0] == outcomes[2]
    assert all(seconds >= 0 for seconds, _ in results)
