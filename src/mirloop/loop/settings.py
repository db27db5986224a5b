"""How many renders the loop makes per track, and how (:class:`LoopSettings`)."""

from __future__ import annotations

from attrs import frozen

from mirloop.loop.renders import TEMPO_MARGIN


@frozen
class LoopSettings:
    """How many renders to make and how.

    ``renders``: multi-region renders per track; ``descriptors``/``tempi``/``keys``: how many top
    candidates of each are combined into single-region renders; ``seed`` seeds every render;
    ``joined``: multi-region renders play the segments as sections of one piece
    (:func:`mirloop.timeline.multi_region`); ``separate``: strip vocals before analysis;
    ``audio``: write OGG files for the HTML report; ``tempo_margin``: share of a descriptor's tempo
    range kept clear at either end when the track's tempo is fitted to it
    (:func:`mirloop.loop.renders.fit_tempo`); ``peer``: a second listener whose view of each input
    segment is shown beside the classifier's (``CLASSIFIER[:FEATURES]`` backends, ``""`` for none;
    :mod:`mirloop.loop.peer`); ``listener``: the model directory that hears the renders (``""``:
    chosen by :func:`mirloop.loop.configuration.choose_listener`).
    """

    renders: int = 10
    descriptors: int = 2
    tempi: int = 1
    keys: int = 1
    seed: int = 0
    joined: bool = True
    separate: bool = True
    audio: bool = True
    html: bool = True
    tempo_margin: float = TEMPO_MARGIN
    peer: str = ""
    listener: str = ""



__all__ = ["LoopSettings"]
