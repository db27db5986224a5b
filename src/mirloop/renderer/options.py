"""Renderer options, with units and defaults (also the options of the ``mirloop`` renderer backend)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from mirloop.errors import OptionError

#: Values of the ``randomize`` option (see :mod:`mirloop.renderer.randomize`).
RANDOMIZE_MODES = ("none", "mix", "full")


@frozen
class RenderOptions:
    """``sr`` output sample rate (Hz); ``soundfont`` an .sf2 path, ``"auto"`` (best found) or
    ``"bundled"``; ``stems`` also return one dry stem per instrument; ``loudness`` target RMS
    of the loudest climax (dBFS) for a style of dynamics 0.8 (calmer styles sit lower, see
    :func:`mirloop.renderer.pipeline.dynamics_offset`); ``reverb`` wet level (0 switches it off);
    ``ceiling`` limiter ceiling (dBFS, on samples and half-sample points; true peaks stay under
    −1 dBFS at the default −2); ``block`` processing block (samples, a multiple of 64);
    ``randomize`` domain randomisation: ``"none"``, ``"mix"`` (a seeded mix and master chain) or
    ``"full"`` (also the GM sound font and a lossy-codec round trip; see
    :mod:`mirloop.renderer.randomize`); ``idioms`` the genre idioms in the score and the mix (power
    chords, driving bass, side-chain pumping, guitar drive, orchestral hall…; see
    :mod:`mirloop.renderer.idioms`), off by default until the shipped model is retrained on renders
    that play them (its training renders have none, and the loop re-classifies with it)."""

    sr: int = 44100
    soundfont: str = "auto"
    stems: bool = False
    loudness: float = -14.0
    reverb: float = 0.18
    ceiling: float = -2.0
    block: int = 16384
    randomize: str = "none"
    idioms: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> RenderOptions:
        """Options from a mapping; unknown keys and bad values raise :class:`OptionError`."""
        values = dict(values or {})
        fields = {a.name: a.default for a in cls.__attrs_attrs__}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise OptionError(
                f"unknown renderer option(s) {', '.join(unknown)}; valid: {', '.join(sorted(fields))}"
            )
        converted: dict[str, Any] = {}
        for name, value in values.items():
            kind: Any = type(fields[name])
            try:
                if kind is bool and isinstance(value, str):
                    converted[name] = value.strip().lower() in ("1", "true", "yes", "on")
                else:
                    converted[name] = kind(value)
            except (TypeError, ValueError) as exc:
                raise OptionError(f"renderer option {name!r} expects {kind.__name__}, got {value!r}") from exc
        options = cls(**converted)
        if not 8000 <= options.sr <= 192000:
            raise OptionError(f"renderer option sr must be 8000–192000 Hz, got {options.sr}")
        if options.block < 256 or options.block % 64:
            raise OptionError(
                f"renderer option block must be a multiple of 64 samples, at least 256; got {options.block}"
            )
        if options.randomize not in RANDOMIZE_MODES:
            raise OptionError(
                f"renderer option randomize must be one of {', '.join(RANDOMIZE_MODES)}, "
                f"got {options.randomize!r}"
            )
        if options.ceiling > 0:
            raise OptionError(f"renderer option ceiling must be ≤ 0 dBFS, got {options.ceiling}")
        return options
