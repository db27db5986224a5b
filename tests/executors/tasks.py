"""Tasks for the executor tests; importable by name, so worker processes can run them."""

from __future__ import annotations

import os
import time

#: A spectrogram-sized block: above glibc's fixed 128 KiB mmap threshold, below the tuned one.
BLOCK = 4 * 1024 * 1024


def pid_after(seconds: float) -> int:
    """This process's id, after ``seconds`` of sleep."""
    time.sleep(seconds)
    return os.getpid()


def pid_or_die(die: bool) -> int:
    """This process's id, or the process ends abruptly (``os._exit``, as a crash in native code would)."""
    if die:
        os._exit(70)
    return os.getpid()


def slower_when_repeated(marker: str, value: int) -> int:
    """``value`` at once the first time; once ``marker`` (a file path) exists, after 1.5 s — so a
    task computed again is still running a moment after its first result was lost."""
    if os.path.exists(marker):
        time.sleep(1.5)
    else:
        open(marker, "w").close()
    return value


def mapped_on_its_own(nbytes: int) -> bool:
    """Whether glibc serves a ``malloc`` of ``nbytes`` by mapping fresh pages for it alone (its
    count of mapped blocks goes up while the block is held) rather than from the heap."""
    import ctypes
    import ctypes.util

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = (ctypes.c_void_p,)
    before = libc.mallinfo2().hblks
    block = libc.malloc(nbytes)
    mapped = libc.mallinfo2().hblks > before
    libc.free(block)
    return mapped


def started_at(seconds: float) -> float:
    """When this task started (``time.time()``), returned after ``seconds`` of sleep."""
    began = time.time()
    time.sleep(seconds)
    return began


def pid_or_fail(fail: bool) -> int:
    """This process's id, or a ``ValueError`` when asked to fail."""
    if fail:
        raise ValueError("asked to fail")
    return os.getpid()
