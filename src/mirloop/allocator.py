"""The C allocator of a worker process, set for tasks that make and free large arrays.

glibc serves a large ``malloc`` by mapping fresh pages (``mmap``) and returns them on ``free``;
by default it raises that threshold as the process frees large blocks, so the buffers a task
makes again and again (audio, spectrograms, feature matrices of a few MiB) come to be reused
from the heap. Setting any of its thresholds by environment turns that adaptation off — and
Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` for every worker it starts (and, as a side
effect, in the process that runs a ``LocalCluster``, so later child processes inherit it).
Every array above 128 KiB is then mapped, faulted in page by page and unmapped again: the
analysis of a track took 1.6 times as long (``benchmarks/bench_scale.py``). :func:`tune_allocator`
fixes both thresholds at the values glibc's own adaptation reaches: arrays below
:data:`MMAP_THRESHOLD` come from the heap, and the heap is given back to the system once
:data:`TRIM_THRESHOLD` of it is free at its top.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

#: ``mallopt`` parameters (glibc's ``malloc.h``).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: Blocks of this many bytes and more are mapped on their own (glibc's adaptive maximum on 64-bit).
MMAP_THRESHOLD = 32 * 1024 * 1024
#: Free memory at the heap's top above this many bytes goes back to the system (glibc keeps 2×
#: the mmap threshold when it adapts).
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD


def tune_allocator() -> bool:
    """Fix glibc's mmap and trim thresholds for this process; ``False`` where the C library is not
    glibc (macOS, Windows, musl) or refuses, and nothing changes."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
