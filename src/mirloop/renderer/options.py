"""Renderer options, with units and defaults, as the public render functions take them. Their one
source is :data:`mirloop.renderer.option_table.OPTIONS`, the renderer backend's table too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from mirloop.errors import OptionError
from mirloop.renderer.option_table import OPTIONS
from mirloop.renderer.option_table import RANDOMIZE_MODES as RANDOMIZE_MODES


@frozen
class RenderOptions:
    """``sr`` output sample rate (Hz); ``soundfont`` an .sf2 path, ``"auto"`` (best found) or
    ``"bundled"``; ``stems`` also return one dry stem per instrument; ``loudness`` target RMS
    of the loudest climax (dBFS) for a style of dynamics 0.8 (calmer styles sit lower, see
    :func:`mirloop.renderer.production.dynamics_offset`); ``reverb`` wet level (0 switches it off);
    ``ceiling`` limiter ceiling (dBFS, on samples and half-sample points; true peaks stay under
    −1 dBFS at the default −2); ``block`` processing block (samples, a multiple of 64);
    ``randomize`` domain randomisation: ``"none"``, ``"mix"`` (a seeded mix and master chain) or
    ``"full"`` (also the GM sound font and a lossy-codec round trip; see
    :mod:`mirloop.renderer.randomize`); ``idioms`` the genre idioms in the score and the mix (power
    chords, driving bass, side-chain pumping, guitar drive, orchestral hall…; see
    :mod:`mirloop.renderer.idioms`), off by default until the shipped model is retrained on renders
    that play them (its training renders have none, and the loop re-classifies with it);
    ``production`` ``"gm"`` (every part on the GM font) or ``"genre"``: genre-typical instruments
    and mix (synthesised synths and drum machines, distorted double-tracked rock guitars, glue
    compression, genre reverbs; see :mod:`mirloop.renderer.genre_sound`), which also plays the
    idioms."""

    sr: int = OPTIONS["sr"].default
    soundfont: str = OPTIONS["soundfont"].default
    stems: bool = OPTIONS["stems"].default
    loudness: float = OPTIONS["loudness"].default
    reverb: float = OPTIONS["reverb"].default
    ceiling: float = OPTIONS["ceiling"].default
    block: int = OPTIONS["block"].default
    randomize: str = OPTIONS["randomize"].default
    idioms: bool = OPTIONS["idioms"].default
    production: str = OPTIONS["production"].default

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> RenderOptions:
        """Options from a mapping, each converted as the renderer backend converts it
        (:meth:`mirloop.stages.Option.convert`); unknown keys and bad values raise :class:`OptionError`."""
        values = dict(values or {})
        unknown = sorted(set(values) - set(OPTIONS))
        if unknown:
            raise OptionError(
                f"unknown renderer option(s) {', '.join(unknown)}; valid: {', '.join(sorted(OPTIONS))}"
            )
        converted = {
            name: OPTIONS[name].convert(value, name=f"renderer option {name!r}")
            for name, value in values.items()
        }
        options = cls(**converted)
        if not 8000 <= options.sr <= 192000:
            raise OptionError(f"renderer option sr must be 8000–192000 Hz, got {options.sr}")
        if options.block < 256 or options.block % 64:
            raise OptionError(
                f"renderer option block must be a multiple of 64 samples, at least 256; got {options.block}"
            )
        if options.ceiling > 0:
            raise OptionError(f"renderer option ceiling must be ≤ 0 dBFS, got {options.ceiling}")
        return options

    @property
    def plays_idioms(self) -> bool:
        """Whether the genre idioms are played: asked for, or part of the genre production."""
        return self.idioms or self.production == "genre"
