"""Genre idioms: what a genre's records do that its catalog style alone does not say.

In the score (composition stays a pure function of plan and seed), the part generators read
these tables: harmony parts on distorted guitars play power chords
(:data:`POWER_CHORD_PROGRAMS`), rock basses drive root eighths (:data:`ROOT_EIGHTHS_GENRES`),
rock kits crash on phrase downbeats and every climax bar (:data:`DOWNBEAT_CRASH_GENRES`), and
timpani play accents and rolls rather than a bass line (:data:`TIMPANI_PROGRAM`).

In the mix, on buses:

- **side-chain pumping** (:data:`SIDECHAIN`): in the listed genres, the pads, chords and bass duck
  under every kick of the region's drum part — fast attack, exponential release;
- **drive** (:data:`DRIVE_DB`): the General MIDI overdrive and distortion guitars are only mildly
  distorted in most fonts, so their bus goes through a waveshaper with a cabinet low-pass;
- **hall** (:data:`HALL`): orchestral styles get a longer, louder reverb.

The renderer option ``idioms=false`` switches all of them off (to measure what they bring).
"""

from __future__ import annotations

from collections.abc import Sequence

from mirloop.renderer.score import Part
from mirloop.types import Descriptor

#: Harmony parts on these GM programs (29 overdriven, 30 distortion guitar) play power chords
#: (:func:`mirloop.renderer.pitched.power_chord`: root, fifth, octave and the chord's third a tenth up).
POWER_CHORD_PROGRAMS = (29, 30)
#: Genres whose bass plays straight eighths on the chord roots after the intro.
ROOT_EIGHTHS_GENRES = ("rock",)
#: Genres whose kit crashes on the downbeat of every 4-bar phrase and of every climax bar.
DOWNBEAT_CRASH_GENRES = ("rock",)
#: The GM timpani program: plays accents (see :func:`mirloop.renderer.pitched.timpani_part`).
TIMPANI_PROGRAM = 47

#: genre → (duck depth in dB, release time in s): how far and how long the ducked parts dip per kick.
SIDECHAIN: dict[str, tuple[float, float]] = {"electronica": (6.0, 0.15)}
#: Roles that duck under the kick.
DUCKED_ROLES = ("pad", "harmony", "bass")
#: Kick drum notes of the General MIDI drum map (acoustic bass drum, bass drum 1).
KICKS = (35, 36)
#: GM program → drive (dB of gain into the waveshaper): 29 overdriven guitar, 30 distortion guitar.
DRIVE_DB: dict[int, float] = {29: 14.0, 30: 22.0}
#: (genre, subgenre) → (reverb RT60 in s, multiplier of the reverb send): a wide hall.
HALL: dict[tuple[str, str], tuple[float, float]] = {
    ("cinematic", "orchestral"): (2.8, 1.6),
    ("documentary", "underscore"): (2.4, 1.3),
}
#: RT60 (s) of the reverb when no hall applies.
DEFAULT_DECAY = 1.6


def sidechain_of(descriptor: Descriptor) -> tuple[float, float] | None:
    return SIDECHAIN.get(descriptor.genre)


def part_treatments(
    parts: Sequence[Part], descriptors: Sequence[Descriptor], *, idioms: bool, chorus: bool
) -> list[tuple[str, ...]]:
    """The bus treatments of each part, as sorted names: ``duck``, ``drive``, ``chorus``."""
    result: list[tuple[str, ...]] = []
    for part in parts:
        names: set[str] = set()
        role = part.role
        if idioms and not part.instrument.drums:
            if role in DUCKED_ROLES and sidechain_of(descriptors[part.region]) is not None:
                names.add("duck")
            if part.instrument.program in DRIVE_DB:
                names.add("drive")
        if chorus and role in ("harmony", "pad"):
            names.add("chorus")
        result.append(tuple(sorted(names)))
    return result


def hall_of(descriptors: Sequence[Descriptor], *, idioms: bool) -> tuple[float, float]:
    """(RT60 s, send multiplier) of the render's reverb: the hall of its first region's style."""
    if idioms and descriptors:
        first = descriptors[0]
        hall = HALL.get((first.genre, first.subgenre))
        if hall is not None:
            return hall
    return DEFAULT_DECAY, 1.0
