"""Descriptors: a genre / subgenre / mood with the musical constraints that realise it."""

from __future__ import annotations

from attrs import field, frozen

from mirloop.errors import InvalidValueError

SENTIMENTS = ("negative", "neutral", "positive")
VALENCE_LEVELS = (0, 1, 2)
MOMENTUM_LEVELS = (0, 1, 2, 3, 4)
FEELS = ("straight", "swing", "half-time")
TARGETS = ("genre", "subgenre", "mood", "sentiment", "valence", "momentum")


@frozen
class Instrument:
    """One instrument of a band: a General MIDI program (0–127) or a drum kit (``drums=True``)."""

    name: str
    program: int = 0
    drums: bool = False
    role: str = "harmony"  # one of: bass, harmony, pad, melody, ostinato, percussion


@frozen
class Band:
    """A named instrument group that the renderer can pick for a descriptor."""

    name: str
    instruments: tuple[Instrument, ...] = field(converter=tuple)


@frozen
class Style:
    """The musical constraints of a descriptor, read by the renderer.

    Units: ``tempo_range`` in BPM; ``register`` as MIDI note numbers ``(low, high)``;
    ``density``, ``dissonance`` and ``dynamics`` in [0, 1]; ``harmonic_rhythm`` in bars per chord;
    ``intro``, ``ending`` and ``climax`` are fractions of a region's length (the default shape).
    """

    tempo_range: tuple[float, float]
    meter: tuple[int, int] = (4, 4)
    feel: str = "straight"
    scales: tuple[str, ...] = ("major",)
    progressions: tuple[tuple[str, ...], ...] = (("I", "IV", "V", "I"),)
    harmonic_rhythm: float = 1.0
    dissonance: float = 0.2
    register: tuple[int, int] = (48, 84)
    bands: tuple[Band, ...] = ()
    #: Drum patterns (``"kick:x... snare:..x."``); a render plays one, drawn with its seed. A catalog
    #: descriptor has one, its mood's (see :func:`mirloop.catalog.resolve.mood_rhythms`).
    rhythms: tuple[str, ...] = ()
    density: float = 0.5
    dynamics: float = 0.6
    articulation: str = "legato"  # legato, staccato, marcato, sustained
    #: Thirds left out (sus chords, a melody without the third): neither major nor minor is heard.
    open_harmony: bool = False
    #: Default region shape, as fractions of a region's length: intro, ending, climax position.
    intro: float = 0.1
    ending: float = 0.1
    climax: float = 0.66


@frozen
class Descriptor:
    """A catalog entry named ``genre_subgenre_mood``.

    ``valence`` is ordinal 0–2 and ``momentum`` ordinal 0–4 (activity and event density).
    """

    id: int
    name: str
    genre: str
    subgenre: str
    mood: str
    sentiment: str
    valence: int
    momentum: int
    style: Style

    def __attrs_post_init__(self) -> None:
        if self.sentiment not in SENTIMENTS:
            raise InvalidValueError(f"{self.name}: sentiment {self.sentiment!r} is not one of {SENTIMENTS}")
        if self.valence not in VALENCE_LEVELS:
            raise InvalidValueError(f"{self.name}: valence {self.valence} is not one of {VALENCE_LEVELS}")
        if self.momentum not in MOMENTUM_LEVELS:
            raise InvalidValueError(f"{self.name}: momentum {self.momentum} is not one of {MOMENTUM_LEVELS}")

    def target(self, name: str) -> str:
        """The value of a classification target (``genre``, ``valence``…) as a string label."""
        return str(getattr(self, name))
