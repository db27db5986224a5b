"""Built-in source separators: offline, no downloaded weights.

``repet``
    REPET-SIM vocal suppression (Rafii & Pardo 2012; librosa's vocal-separation example): the
    repeating accompaniment is the median of each frame's most similar frames; soft masks split
    the mix. Stereo input is split into mid and side first, and only centre-panned energy (where
    vocals usually sit) can be assigned to the vocals.
``none``
    Pass-through: the whole mix is the accompaniment, the vocals are silent.

Both return ``{"accompaniment": Audio, "vocals": Audio}`` at the input's rate, length and
channel count.
"""

from mirloop.separation.backends import PassThroughSeparator, RepetSeparator
from mirloop.separation.repet import RepetSettings, separate_repet

__all__ = ["PassThroughSeparator", "RepetSeparator", "RepetSettings", "separate_repet"]
