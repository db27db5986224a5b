"""Which network each exported model runs: musicnn's own (``*_musicnn``) or its VGG baseline (``*_vgg``).

The musicnn wheel ships four checkpoints: ``MTT_musicnn`` and ``MSD_musicnn`` (the
musically motivated CNN, :mod:`mirloop_musicnn.network`) and ``MTT_vgg`` and ``MSD_vgg`` (a
five-block VGG-like CNN, :mod:`mirloop_musicnn.vgg_network`). The ``MTT_*`` models tag with
MagnaTagATune's 50 tags, the ``MSD_*`` models with the Million Song Dataset's (their
*vocabulary*, :data:`mirloop_musicnn.tags.VOCABULARY`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from attrs import frozen

from mirloop_musicnn import network, vgg_network
from mirloop_musicnn.network import NetworkOutput, Weights


@frozen
class Architecture:
    """A network: the arrays it needs, its forward pass and the size of its penultimate embedding."""

    name: str
    expected_shapes: Callable[[int], dict[str, tuple[int, ...]]]
    forward: Callable[[Weights, np.ndarray], NetworkOutput]
    forward_blocks: Callable[[Weights, Iterable[np.ndarray]], NetworkOutput]
    penultimate_units: int


MUSICNN = Architecture("musicnn", network.expected_shapes, network.forward, network.forward_blocks,
                       network.PENULTIMATE_UNITS)
VGG = Architecture("vgg", vgg_network.expected_shapes, vgg_network.forward, vgg_network.forward_blocks,
                   vgg_network.PENULTIMATE_UNITS)

#: The architecture of every model the plugin exports.
ARCHITECTURE_OF: dict[str, Architecture] = {
    "MTT_musicnn": MUSICNN,
    "MSD_musicnn": MUSICNN,
    "MTT_vgg": VGG,
    "MSD_vgg": VGG,
}


def architecture_of(model: str) -> Architecture:
    """The architecture of ``model`` (one of :data:`ARCHITECTURE_OF`)."""
    return ARCHITECTURE_OF[model]
