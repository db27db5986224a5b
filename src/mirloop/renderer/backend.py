"""The built-in ``mirloop`` renderer backend (stage ``renderer``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from mirloop.stages import Backend, Option

if TYPE_CHECKING:
    from mirloop.model import RenderResult


class MirloopRenderer(Backend):
    """Rule-based composition and SoundFont synthesis, offline; see :mod:`mirloop.renderer`."""

    name: ClassVar[str] = "mirloop"
    stage: ClassVar[str] = "renderer"
    summary: ClassVar[str] = "rule-based composer + General MIDI SoundFont synthesis (offline, seeded)"
    options: ClassVar[dict[str, Option]] = {
        "sr": Option(44100, int, "output sample rate (Hz)"),
        "soundfont": Option("auto", str, "GM SoundFont: an .sf2 path, 'auto' (best installed) or 'bundled'"),
        "stems": Option(False, bool, "also return one dry stem per instrument"),
        "loudness": Option(-14.0, float, "target RMS of the loudest climax (dBFS) at dynamics 0.8"),
        "reverb": Option(0.18, float, "reverb wet level (0 = off)"),
        "ceiling": Option(-2.0, float, "limiter ceiling (dBFS, sample and half-sample peaks)"),
        "block": Option(4096, int, "processing block (samples)"),
        "randomize": Option(
            "none",
            str,
            "domain randomisation: none, mix (seeded mix/master chain) or full (+ GM font, codec)",
            choices=("none", "mix", "full"),
        ),
        "idioms": Option(
            False, bool, "genre idioms: power chords, driving bass, crashes, timpani, pumping, drive, hall "
            "(off until the shipped model is retrained on renders that play them)"
        ),
    }

    def render(self, timeline: Any, seed: int | None = None) -> RenderResult:
        """Render ``timeline`` (a Timeline or its JSON) with this backend's options."""
        from mirloop.renderer.api import render
        from mirloop.renderer.options import RenderOptions

        return render(timeline, seed=seed, config=RenderOptions.from_mapping(self.opts))
