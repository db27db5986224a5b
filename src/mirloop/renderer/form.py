"""Region shape: intro, build, climax and outro, as an intensity per bar and the parts playing.

The intro has the fewest instruments, every instrument plays at the climax, and the outro
thins out again. Instruments enter in role order: pads and harmony first, then percussion,
bass, ostinato and melody.
"""

from __future__ import annotations

import math

from attrs import frozen

from mirloop.types import Instrument

#: Entry order of roles (lower enters earlier).
ENTRY_ORDER = {"pad": 0, "harmony": 1, "percussion": 2, "bass": 3, "ostinato": 4, "melody": 5}


@frozen
class Form:
    """Per-bar section labels (``intro``/``build``/``climax``/``outro``) and intensity in [0, 1]."""

    sections: tuple[str, ...]
    intensity: tuple[float, ...]
    intro_bars: int
    outro_bars: int
    climax_bar: int

    @property
    def n_bars(self) -> int:
        return len(self.sections)


def plan_form(n_bars: int, bar: float, intro: float, ending: float, climax: float) -> Form:
    """Section and intensity of each of ``n_bars`` bars.

    ``bar`` and ``intro``/``ending`` in seconds, ``climax`` as a fraction of the region in [0, 1].
    """
    intro_bars = max(0, min(n_bars - 1, round(intro / bar))) if n_bars > 1 else 0
    outro_bars = max(0, min(n_bars - intro_bars - 1, round(ending / bar))) if n_bars > 1 else 0
    body_first, body_last = intro_bars, n_bars - outro_bars - 1
    climax_bar = min(body_last, max(body_first, int(climax * n_bars)))
    climax_len = max(1, min(4, (body_last - body_first + 1) // 4))
    sections: list[str] = []
    levels: list[float] = []
    for b in range(n_bars):
        if b < intro_bars:
            sections.append("intro")
            levels.append(0.2 + 0.1 * b / max(1, intro_bars))
        elif b > body_last:
            sections.append("outro")
            levels.append(0.25)
        elif climax_bar <= b < climax_bar + climax_len:
            sections.append("climax")
            levels.append(1.0)
        elif b < climax_bar:
            sections.append("build")
            span = max(1, climax_bar - body_first)
            levels.append(0.45 + 0.45 * (b - body_first) / span)
        else:
            sections.append("build")
            levels.append(0.8)
    return Form(tuple(sections), tuple(levels), intro_bars, outro_bars, climax_bar)


def active_instruments(instruments: tuple[Instrument, ...], level: float, section: str) -> set[int]:
    """Indices of the instruments playing at ``level``: the fewest in the intro, all at the climax."""
    n = len(instruments)
    order = sorted(range(n), key=lambda i: (ENTRY_ORDER.get(_role(instruments[i]), 9), i))
    if section == "climax" or n <= 1:
        count = n
    elif section in ("intro", "outro"):
        count = max(1, n // 3)
    else:
        count = max(max(1, n // 3) + 1, math.ceil(level * n)) if n > 2 else n
    return set(order[: min(n, count)])


def _role(instrument: Instrument) -> str:
    return "percussion" if instrument.drums else instrument.role
