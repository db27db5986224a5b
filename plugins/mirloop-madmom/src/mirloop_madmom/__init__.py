"""mirloop backends on madmom (code BSD, models CC BY-NC-SA 4.0): tempo and key named ``madmom``."""

from mirloop_madmom.key import MadmomKey
from mirloop_madmom.tempo import MadmomTempo

__all__ = ["MadmomKey", "MadmomTempo"]
