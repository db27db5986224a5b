"""Property-based fuzzing of the loaders: whatever the input, a failure is a MirloopError.

Two hypothesis profiles: ``ci`` (the default, a few hundred cases over all fuzzers, fixed
seeds, so ``make test`` stays quick and repeatable) and ``fuzz`` (``make fuzz``: 2,500 random
cases per fuzzer, more than 10,000 in all). Pick one with ``--hypothesis-profile``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from mirloop.errors import MirloopError

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz",
    max_examples=2500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@contextmanager
def only_mirloop_errors() -> Iterator[None]:
    """Let a :class:`MirloopError` pass (a clear refusal); any other exception fails the case."""
    with suppress(MirloopError):
        yield


#: Any JSON value (with NaN and infinities, which Python's json reads and writes).
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` truncated, with bytes flipped, a range zeroed or random bytes spliced in."""
    kind = draw(st.sampled_from(["truncate", "flip", "zero", "splice", "header"]))
    out = bytearray(data)
    if kind == "truncate":
        return bytes(out[: draw(st.integers(0, max(0, len(out) - 1)))])
    if kind == "flip":
        for _ in range(draw(st.integers(1, 16))):
            at = draw(st.integers(0, len(out) - 1))
            out[at] ^= draw(st.integers(1, 255))
        return bytes(out)
    if kind == "header":  # the first bytes hold the format's header: zero or scramble them
        end = draw(st.integers(1, min(len(out), 96)))
        fill = draw(st.binary(min_size=end, max_size=end) | st.just(bytes(end)))
        return bytes(fill) + bytes(out[end:])
    start = draw(st.integers(0, len(out)))
    if kind == "zero":
        stop = draw(st.integers(start, min(len(out), start + 4096)))
        out[start:stop] = bytes(stop - start)
        return bytes(out)
    return bytes(out[:start]) + draw(st.binary(min_size=1, max_size=64)) + bytes(out[start:])


def mutate_json(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with one value somewhere in it replaced by any JSON value, or a key removed."""
    paths: list[tuple[Any, ...]] = []

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, (*path, index))

    walk(document, ())
    path = draw(st.sampled_from(paths))
    replacement = draw(json_values)
    if not path:
        return replacement
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return document
