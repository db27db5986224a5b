"""Size limits checked before mirloop allocates memory for a number it was given.

One number in a timeline, a command-line option, a model file or an audio header could
otherwise ask for gigabytes (a timeline ending at 1e9 s, a FLAC header claiming 2**36
frames). Each limit has a documented default and an environment variable that raises (or
lowers) it; going past a limit raises one error naming the limit and how to change it::

    MIRLOOP_MAX_RENDER_SECONDS=7200 mirloop render long.json -o long.wav

The limits are read when checked, so a changed environment applies to the next call.
"""

from __future__ import annotations

import math
import os

from attrs import frozen

from mirloop.errors import ConfigError, MirloopError


@frozen
class Limit:
    """A limit: ``env`` names the environment variable overriding ``default`` (in ``unit``)."""

    env: str
    default: float
    unit: str
    what: str

    def value(self) -> float:
        """The limit in effect: the environment variable when set, else the default."""
        text = os.environ.get(self.env, "").strip()
        if not text:
            return self.default
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"{self.env}={text!r} is not a limit; give a positive number of {self.unit}")
        return value

    def check(self, amount: float, subject: str, *, error: type[MirloopError]) -> None:
        """Raise ``error`` when ``amount`` (in :attr:`unit`) is past the limit or not a number;
        the message reads ``{subject} {amount} {unit}, past the limit of …``."""
        limit = self.value()
        if not amount <= limit:  # also refuses NaN
            raise error(
                f"{subject} {amount:.6g} {self.unit}, past the limit of {limit:g} {self.unit} on "
                f"{self.what}; set {self.env} to a larger number to allow it"
            )


#: Length of one render made in memory (``render()``, ``render --stems``, a domain-randomised
#: render, ``dataset generate --durations``, a timeline's end): one hour; a 1-h stereo render
#: at 44.1 kHz holds 1.3 GB of samples while it is mixed.
MAX_RENDER_SECONDS = Limit("MIRLOOP_MAX_RENDER_SECONDS", 3600.0, "s", "the length of a render")
#: Length of a render streamed block by block to an audio file and its stems (``mirloop render``
#: without domain randomisation, the loop's renders): memory stays bounded, so only the files'
#: size and the time taken grow: 24 hours (a 24-h 16-bit stereo WAV at 44.1 kHz is 15 GB).
MAX_STREAMED_RENDER_SECONDS = Limit(
    "MIRLOOP_MAX_STREAMED_RENDER_SECONDS", 86400.0, "s", "the length of a render streamed to a file"
)
#: Regions, actions and spans of one timeline together.
MAX_TIMELINE_EVENTS = Limit(
    "MIRLOOP_MAX_TIMELINE_EVENTS", 10_000, "events", "the spans, regions and actions of a timeline"
)
#: Length of one decoded audio track, from its header, before the samples are allocated: 10 hours,
#: which ``mirloop analyze`` analyses in about 1.3 GiB of memory and 4.3 GB of temporary files.
MAX_TRACK_HOURS = Limit("MIRLOOP_MAX_TRACK_HOURS", 10.0, "h", "the length of an audio track")
#: Total size of the arrays a model file declares (read from the array headers before loading).
MAX_MODEL_MB = Limit("MIRLOOP_MAX_MODEL_MB", 1024.0, "MB", "the arrays of a model file")

LIMITS = (MAX_RENDER_SECONDS, MAX_STREAMED_RENDER_SECONDS, MAX_TIMELINE_EVENTS, MAX_TRACK_HOURS, MAX_MODEL_MB)
