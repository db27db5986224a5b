"""Message framing between mirloop and the spleeter worker (stdlib and NumPy only).

A message is a 4-byte big-endian length, a UTF-8 JSON header of that length, then
``header["nbytes"]`` bytes of payload (C-ordered float32 arrays, described in the header).
"""

from __future__ import annotations

import json
import struct
from typing import IO, Any

import numpy as np

_LENGTH = struct.Struct(">I")


def send(stream: IO[bytes], header: dict[str, Any], arrays: tuple[np.ndarray, ...] = ()) -> None:
    """Write one message: ``header`` (``nbytes`` filled in) and ``arrays`` as float32."""
    payload = b"".join(np.ascontiguousarray(a, dtype=np.float32).tobytes() for a in arrays)
    encoded = json.dumps({**header, "nbytes": len(payload)}).encode()
    stream.write(_LENGTH.pack(len(encoded)) + encoded)
    stream.write(payload)
    stream.flush()


def receive(stream: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    """Read one message; ``EOFError`` when the other side has closed the stream."""
    prefix = _read_exactly(stream, _LENGTH.size)
    (length,) = _LENGTH.unpack(prefix)
    header: dict[str, Any] = json.loads(_read_exactly(stream, length))
    payload = _read_exactly(stream, int(header.get("nbytes", 0)))
    return header, payload


def split(payload: bytes, shapes: list[list[int]]) -> list[np.ndarray]:
    """The float32 arrays of ``shapes`` packed one after another in ``payload``."""
    arrays, offset = [], 0
    for shape in shapes:
        count = int(np.prod(shape))
        arrays.append(np.frombuffer(payload, dtype=np.float32, count=count, offset=offset).reshape(shape))
        offset += 4 * count
    return arrays


def _read_exactly(stream: IO[bytes], n: int) -> bytes:
    chunks: list[bytes] = []
    remaining = n
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("the stream closed in the middle of a message" if chunks else "the stream closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
