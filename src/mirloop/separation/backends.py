"""The ``repet`` and ``none`` separator backends (stage ``separator``)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from mirloop.stages import Backend, Option
from mirloop.types import Audio


class RepetSeparator(Backend):
    """REPET-SIM vocal suppression with mid/side cancellation; see :mod:`mirloop.separation.repet`."""

    name: ClassVar[str] = "repet"
    stage: ClassVar[str] = "separator"
    summary: ClassVar[str] = "REPET-SIM similarity masks + mid/side centre cancellation (offline, no weights)"
    #: Rate (Hz) the analysis pipeline loads audio at for this separator.
    sample_rate: ClassVar[int] = 22050
    options: ClassVar[dict[str, Option]] = {
        "min_gap": Option(1.0, float, "repetitions closer than this are ignored (s)"),
        "block": Option(30.0, float, "frames are compared within blocks this long (s); bounds memory"),
        "margin_accompaniment": Option(2.0, float, "softmask margin of the accompaniment"),
        "margin_vocals": Option(1.5, float, "softmask margin of the vocals (higher keeps fewer vocals)"),
        "stereo": Option(True, bool, "use mid/side: only centre-panned energy can be vocals"),
    }

    def separate(self, audio: Audio) -> dict[str, Audio]:
        """``accompaniment`` and ``vocals`` at the input's rate, length and channel count."""
        from mirloop.errors import OptionError
        from mirloop.separation.repet import RepetSettings, separate_repet

        if self.opts["block"] < 4 * self.opts["min_gap"]:
            raise OptionError(
                f"separator option block ({self.opts['block']} s) must be at least four times "
                f"min_gap ({self.opts['min_gap']} s)"
            )
        settings = RepetSettings(
            min_gap=self.opts["min_gap"],
            block=self.opts["block"],
            margin_accompaniment=self.opts["margin_accompaniment"],
            margin_vocals=self.opts["margin_vocals"],
        )
        if not self.opts["stereo"] and audio.samples.ndim == 2:
            mono = audio.mono()
            stems = separate_repet(mono, settings)
            vocals = np.broadcast_to(stems["vocals"].samples, audio.samples.shape)
            return {
                "accompaniment": Audio(audio.samples - vocals, audio.sr, audio.source),
                "vocals": Audio(vocals, audio.sr, audio.source),
            }
        return separate_repet(audio, settings)


class PassThroughSeparator(Backend):
    """No separation: the mix is the accompaniment and the vocals are silence."""

    name: ClassVar[str] = "none"
    stage: ClassVar[str] = "separator"
    summary: ClassVar[str] = "pass-through (the configured value 'none' switches the stage off)"
    options: ClassVar[dict[str, Option]] = {}

    def separate(self, audio: Audio) -> dict[str, Audio]:
        """The input as ``accompaniment``; silent ``vocals`` of the same shape."""
        return {
            "accompaniment": audio,
            "vocals": Audio(np.zeros_like(audio.samples), audio.sr, audio.source),
        }
