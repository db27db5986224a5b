"""Long decoded tracks kept in a temporary file mapped into memory, and released as they are read.

A 3-hour track at the analysis rate is 950 MB of float32 samples; held in RAM beside its
spectrograms it alone would exceed the memory budget. :class:`SpilledSamples` receives the
decoded blocks in a temporary file (written, never mapped for writing) and, once complete,
maps it read-only: the result is an ordinary ``np.ndarray`` view, so every consumer works
unchanged, but its pages come from the page cache and are dropped again by
:func:`release_before` once a block-wise pass (STFT, CQT) has moved past them. The resident
part of the samples is then a few blocks, whatever the length; the file is unlinked as soon
as it is created, so nothing is left behind even after a crash.
"""

from __future__ import annotations

import mmap
import os
import sys
import tempfile
from collections.abc import Callable

import numpy as np

from mirloop.errors import AudioError

#: Output samples (all channels) up to which a decoded track is held in RAM (30 min mono at 22050 Hz);
#: longer tracks are spilled to a temporary file.
IN_MEMORY_SAMPLES = 30 * 60 * 22050


class SpilledSamples:
    """Float32 samples appended to an unlinked temporary file, then mapped read-only as one array."""

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self.size = 0
        try:
            descriptor, name = tempfile.mkstemp(prefix="mirloop-samples-", suffix=".f32")
        except OSError as exc:
            raise _no_room(exc) from exc
        os.unlink(name)  # gone from the folder at once; the mapping keeps the data until released
        self._file = os.fdopen(descriptor, "wb")

    def append(self, block: np.ndarray) -> None:
        """Append ``(n,)`` (mono) or ``(n, channels)`` float32 samples."""
        n = int(block.shape[0])
        if n == 0:
            return
        # Interleaved frames, as decoded: result() views them channel-major without a copy.
        try:
            self._file.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
        except OSError as exc:
            self._file.close()
            raise _no_room(exc) from exc
        self.size += n

    def result(self) -> np.ndarray:
        """The samples, ``(n,)`` or ``(channels, n)``, as a read-only view of the mapped file."""
        try:
            self._file.flush()
            if self.size == 0:
                shape = (0,) if self.channels == 1 else (self.channels, 0)
                return np.zeros(shape, dtype=np.float32)
            mapping = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError as exc:
            raise _no_room(exc) from exc
        finally:
            self._file.close()  # the mapping keeps the (already unlinked) file alive
        samples = np.frombuffer(mapping, dtype=np.float32)
        if self.channels == 1:
            return samples
        return samples.reshape(self.size, self.channels).T  # frames were written interleaved


def _no_room(exc: OSError) -> AudioError:
    return AudioError(
        f"a track this long is decoded into a temporary file in {tempfile.gettempdir()}, which failed "
        f"({exc.strerror or exc}); free some space there or set TMPDIR to a folder with room "
        "(samples, spectrograms and tempogram: about 490 MB an hour of audio)"
    )


def _mapping_of(y: np.ndarray) -> mmap.mmap | None:
    base: object = y
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):  # np.frombuffer keeps a view of the exporting object
        base = base.obj
    return base if isinstance(base, mmap.mmap) else None


def is_spilled(y: np.ndarray) -> bool:
    """Whether ``y`` is (a view of) samples held in a mapped file by :class:`SpilledSamples`."""
    return _mapping_of(y) is not None


def spills(n_samples: int) -> bool:
    """Whether a track of ``n_samples`` analysis samples is long enough for its decoded samples and
    its largest per-frame arrays (log-mel, CQT) to be kept in temporary files rather than in RAM."""
    return n_samples > IN_MEMORY_SAMPLES


def release_before(y: np.ndarray, index: int) -> None:
    """Drop from memory the mapped pages holding ``y[:index]`` of a 1-D spilled array, or the first
    ``index`` columns ``y[:, :index]`` of a 2-D one from :class:`SpilledColumns` or
    :class:`SpilledRows` (no-op otherwise).

    The values stay in the file: reading them again maps them back in.
    """
    mapping = _mapping_of(y)
    if mapping is None or index <= 0 or not hasattr(mmap, "MADV_DONTNEED"):
        return
    if y.ndim not in (1, 2) or sys.platform != "linux":  # MADV_DONTNEED on a file mapping: Linux only
        return
    start = np.frombuffer(mapping, dtype=np.uint8).ctypes.data
    offset = y.ctypes.data - start
    if y.ndim == 2 and y.strides[0] != y.itemsize:
        if y.strides[1] != y.itemsize:
            return  # neither whole columns nor whole rows lie together
        for row in range(y.shape[0]):  # row-major: the start of every row
            _release(mapping, offset + row * y.strides[0], min(index, y.shape[1]) * y.itemsize)
        return
    _release(mapping, offset, min(index, y.shape[-1]) * y.strides[-1])


def release_all(y: np.ndarray) -> None:
    """Drop from memory every mapped page of the spilled array ``y``, including the pages it shares
    with its neighbours in the file (no-op for an array in RAM). Nothing is lost: a page read
    again is mapped back in from the file."""
    mapping = _mapping_of(y)
    if mapping is None or y.size == 0 or not (y.flags.c_contiguous or y.flags.f_contiguous):
        release_before(y, y.shape[-1] if y.ndim else 0)
        return
    if not hasattr(mmap, "MADV_DONTNEED") or sys.platform != "linux":
        return
    offset = y.ctypes.data - np.frombuffer(mapping, dtype=np.uint8).ctypes.data
    _release(mapping, offset, y.nbytes, outward=True)


def _release(mapping: mmap.mmap, offset: int, length: int, *, outward: bool = False) -> None:
    """``MADV_DONTNEED`` over the whole pages inside ``[offset, offset + length)`` of ``mapping``
    (``outward``: every page that range touches)."""
    page = mmap.PAGESIZE
    if outward:
        first = max(offset, 0) // page * page
        last = min(-(-(offset + length) // page) * page, len(mapping))
    else:
        first = -(-max(offset, 0) // page) * page
        last = (offset + length) // page * page
    if last > first:
        mapping.madvise(mmap.MADV_DONTNEED, first, last - first)


class _SpilledArray:
    """A float32 ``(rows, n)`` array built in an unlinked temporary file: written at byte offsets,
    then mapped read-only by :meth:`mapped` (which closes the file)."""

    def __init__(self, rows: int, n: int) -> None:
        self.rows, self.n = int(rows), int(n)
        try:
            descriptor, name = tempfile.mkstemp(prefix="mirloop-frames-", suffix=".f32")
        except OSError as exc:
            raise _no_room(exc) from exc
        os.unlink(name)
        self._fd = descriptor

    def _pwrite(self, data: bytes, offset: int) -> None:
        """Write ``data`` at ``offset`` float32 values into the file; a full disk closes it and raises."""
        try:
            written = os.pwrite(self._fd, data, offset * 4)
        except OSError as exc:
            os.close(self._fd)
            raise _no_room(exc) from exc
        if written != len(data):
            os.close(self._fd)
            raise _no_room(OSError(28, "short write"))

    def mapped(self, shape: tuple[int, int]) -> np.ndarray:
        """The file's values as a read-only array of ``shape``; the file is closed (its pages stay
        mapped until the array goes)."""
        try:
            if self.rows * self.n == 0:
                return np.zeros(shape, dtype=np.float32)
            mapping = mmap.mmap(self._fd, 0, access=mmap.ACCESS_READ)
        except OSError as exc:
            raise _no_room(exc) from exc
        finally:
            os.close(self._fd)
        return np.frombuffer(mapping, dtype=np.float32).reshape(shape)


class SpilledColumns(_SpilledArray):
    """A float32 ``(rows, n)`` array filled a block of columns at a time in an unlinked temporary
    file, then mapped read-only as :class:`SpilledSamples` is.

    The file holds the columns one after the other (the result is the transpose of an
    ``(n, rows)`` array), so a pass over column blocks reads the file in order and
    :func:`release_before` drops the columns behind it.
    """

    def write(self, c0: int, block: np.ndarray) -> None:
        """Store ``block`` ``(rows, k)`` as columns ``c0 … c0 + k - 1``."""
        data = np.ascontiguousarray(np.asarray(block, dtype=np.float32).T)
        self._pwrite(data.tobytes(), c0 * self.rows)

    def update(self, change: Callable[[np.ndarray], np.ndarray], *, block_columns: int = 8192) -> None:
        """Replace every block of columns ``x`` (``(rows, k)``) by ``change(x)``, a block at a time."""
        for c0 in range(0, self.n, block_columns):
            k = min(block_columns, self.n - c0)
            raw = os.pread(self._fd, k * self.rows * 4, c0 * self.rows * 4)
            block = np.frombuffer(raw, dtype=np.float32).reshape(k, self.rows).T
            self.write(c0, change(block))

    def result(self) -> np.ndarray:
        """The ``(rows, n)`` array, a read-only view of the mapped file."""
        return self.mapped((self.n, self.rows)).T


class SpilledRows(_SpilledArray):
    """A float32 ``(rows, n)`` array in row-major order (the layout of ``np.empty((rows, n))``),
    filled a block of columns at a time in an unlinked temporary file, then mapped read-only.

    Every operation on the result sees the memory layout of the array computed in RAM, so it
    gives the same values bit for bit; :func:`release_before` drops the first columns of every row.
    """

    def write(self, c0: int, block: np.ndarray) -> None:
        """Store ``block`` ``(rows, k)`` as columns ``c0 … c0 + k - 1``."""
        data = np.asarray(block, dtype=np.float32)
        for row in range(self.rows):
            self._pwrite(np.ascontiguousarray(data[row]).tobytes(), row * self.n + c0)

    def result(self) -> np.ndarray:
        """The ``(rows, n)`` array, a read-only view of the mapped file."""
        return self.mapped((self.rows, self.n))


#: Samples per block of the whole-signal reductions below (about 47 s at 22050 Hz).
BLOCK_SAMPLES = 1 << 20


def extremes(y: np.ndarray) -> tuple[float, float]:
    """``(min, max)`` of non-empty 1-D ``y``, a block at a time: no whole-signal temporary, and a
    spilled track's pages are released behind each block."""
    bottom, top = np.inf, -np.inf
    for start in range(0, len(y), BLOCK_SAMPLES):
        block = y[start : start + BLOCK_SAMPLES]
        bottom, top = min(bottom, float(block.min())), max(top, float(block.max()))
        release_before(y, start + BLOCK_SAMPLES)
    return bottom, top


def peak(y: np.ndarray) -> float:
    """``max(|y|)`` of 1-D ``y`` (0 when empty), a block at a time (:func:`extremes`)."""
    if not len(y):
        return 0.0
    bottom, top = extremes(y)
    return max(top, -bottom)


def swing(y: np.ndarray) -> float:
    """Half the peak-to-peak range of 1-D ``y`` (0 when empty): its peak around a DC offset, which
    a constant offset alone does not raise; a block at a time (:func:`extremes`)."""
    if not len(y):
        return 0.0
    bottom, top = extremes(y)
    return (top - bottom) / 2


def column_extremes(y: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of each of ``columns`` equal runs of 1-D ``y`` (the tail that does not
    fill a run is left out), computed a block of runs at a time as :func:`peak` is."""
    width = len(y) // columns
    low = np.empty(columns, dtype=y.dtype)
    high = np.empty(columns, dtype=y.dtype)
    step = max(1, BLOCK_SAMPLES // max(width, 1))
    for c0 in range(0, columns, step):
        c1 = min(c0 + step, columns)
        runs = y[c0 * width : c1 * width].reshape(c1 - c0, width)
        low[c0:c1] = runs.min(axis=1)
        high[c0:c1] = runs.max(axis=1)
        release_before(y, c1 * width)
    return low, high
