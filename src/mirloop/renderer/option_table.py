"""The renderer's options: the one table of their defaults, types and help, read by the
``mirloop`` renderer backend and by :class:`~mirloop.renderer.RenderOptions` (the public render
functions). Light on purpose: registering the backend loads it and nothing else of the renderer."""

from __future__ import annotations

from mirloop.stages import Option

#: Values of the ``randomize`` option (see :mod:`mirloop.renderer.randomize`).
RANDOMIZE_MODES = ("none", "mix", "full")
#: Values of the ``production`` option (see :mod:`mirloop.renderer.genre_sound`).
PRODUCTIONS = ("gm", "genre")

#: Every renderer option: default, type and help (``mirloop plugins -v`` and ``config`` show these).
OPTIONS: dict[str, Option] = {
    "sr": Option(44100, int, "output sample rate (Hz)"),
    "soundfont": Option("auto", str, "GM SoundFont: an .sf2 path, 'auto' (best installed) or 'bundled'"),
    "stems": Option(False, bool, "also return one dry stem per instrument"),
    "loudness": Option(-14.0, float, "target RMS of the loudest climax (dBFS) at dynamics 0.8"),
    "reverb": Option(0.18, float, "reverb wet level (0 = off)"),
    "ceiling": Option(-2.0, float, "limiter ceiling (dBFS, sample and half-sample peaks)"),
    "block": Option(16384, int, "processing block (samples, a multiple of 64, at least 256)"),
    "randomize": Option(
        "none",
        str,
        "domain randomisation: none, mix (seeded mix/master chain) or full (+ GM font, codec)",
        choices=RANDOMIZE_MODES,
    ),
    "idioms": Option(
        False, bool, "genre idioms: power chords, driving bass, crashes, timpani, pumping, drive, hall "
        "(off until the shipped model is retrained on renders that play them)"
    ),
    "production": Option(
        "genre",
        str,
        "gm (every part on the GM font) or genre: genre-typical instruments and mix — synthesised "
        "synths and drum machines, distorted double-tracked rock guitars, glue-compressed masters, "
        "genre reverbs; plays the genre idioms too. The loop hears genre renders with the model "
        "shipped for them",
        choices=PRODUCTIONS,
        former="gm",  # the default before: a dataset that did not record it rendered GM
    ),
}
