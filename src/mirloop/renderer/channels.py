"""MIDI channel allocation: consecutive regions use disjoint channel banks.

A region's sound can then be cut (or left to ring out) at its end without touching the
next region's notes, which start on other channels at the same sample. Drums sit on the
General MIDI drum channel 10 (index 9).
"""

from __future__ import annotations

from attrs import frozen

from mirloop.errors import RenderError
from mirloop.renderer.score import Part

DRUM_CHANNEL = 9
BANKS = ((0, 1, 2, 3, 4, 5, 6, 7), (8, 10, 11, 12, 13, 14, 15))


@frozen
class Channel:
    """Where a part plays: synth ``channel`` and the channel written to the MIDI file."""

    synth: int
    midi: int


def allocate(parts: tuple[Part, ...]) -> list[Channel]:
    """A channel per part, following the part order."""
    result: list[Channel] = []
    used: dict[int, int] = {}
    drummed: set[int] = set()  # regions whose first drum part has its channel
    for part in parts:
        bank = BANKS[part.region % 2]
        if part.instrument.drums and part.region not in drummed:
            drummed.add(part.region)
            result.append(Channel(DRUM_CHANNEL, DRUM_CHANNEL))
            continue
        slot = used.get(part.region, 0)
        if slot >= len(bank):
            raise RenderError(
                f"region {part.region} has more than {len(bank)} instruments besides its drum kit; "
                f"use a smaller band"
            )
        used[part.region] = slot + 1
        result.append(Channel(bank[slot], DRUM_CHANNEL if part.instrument.drums else bank[slot]))
    return result
