"""Domain randomisation: a seeded mix and master chain (and sound font) drawn per render.

A model trained on renders that all share one sound font and one clean mix learns that sound,
not the genre. With the renderer option ``randomize`` set to ``"mix"`` every render gets its own
EQ, compression, saturation, chorus on its chords and pads, stereo width, room and peak level,
drawn from :data:`RANGES` by the render seed; ``"full"`` also draws the General MIDI sound font
(:data:`mirloop.renderer.soundfont.GM_FONTS`, those installed) and a lossy-codec round trip
(MP3 or Ogg Vorbis at one of several qualities). ``"none"`` (the default) renders as before.

The same seed draws the same :class:`ChainParams` and gives the same bytes; the parameters are
recorded with the render (``RenderResult.augmentation``, the JAMS sandbox and the dataset
manifest's ``aug_*`` columns), so a dataset can be analysed by augmentation.

The effects are NumPy/SciPy code of :mod:`mirloop.renderer.effects`: RBJ-cookbook biquads, a
feed-forward compressor, a tanh saturator, a modulated-delay chorus, a synthetic room convolved
(its noise seeded by the render seed), mid/side width, a peak level and a libsndfile codec round
trip. Where MP3 cannot be written (libsndfile without LAME, or a sample rate MP3 lacks),
:func:`usable_chain` swaps in Ogg Vorbis at the nearest quality and says so in the record.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from attrs import asdict, evolve, fields, frozen

from mirloop.errors import RenderError
from mirloop.renderer.effects.chorus import Chorus
from mirloop.renderer.effects.compressor import Compressor
from mirloop.renderer.effects.eq import Equaliser, high_shelf, low_shelf, peaking
from mirloop.renderer.effects.room import Room, room_impulse
from mirloop.renderer.effects.saturation import saturate
from mirloop.renderer.effects.stereo import set_peak, widen
from mirloop.renderer.options import RANDOMIZE_MODES

#: Uniform ranges of the continuous parameters (units in the names: Hz, dB, ms, s, ratio).
RANGES: dict[str, tuple[float, float]] = {
    "low_shelf_hz": (80.0, 250.0),
    "low_shelf_db": (-6.0, 6.0),
    "high_shelf_hz": (4000.0, 10000.0),
    "high_shelf_db": (-8.0, 5.0),
    "peak_hz": (300.0, 4000.0),
    "peak_db": (-6.0, 6.0),
    "peak_q": (0.5, 2.0),
    "comp_threshold_db": (-30.0, -8.0),
    "comp_ratio": (1.5, 6.0),
    "comp_attack_ms": (1.0, 30.0),
    "comp_release_ms": (50.0, 300.0),
    "drive_db": (0.0, 12.0),
    "chorus_rate_hz": (0.3, 2.0),
    "chorus_depth": (0.1, 0.4),
    "chorus_mix": (0.2, 0.6),
    "width": (0.6, 1.5),
    "room_size": (0.1, 0.9),
    "reverb_wet": (0.0, 0.3),
    "reverb_damping": (0.2, 0.8),
    "peak_dbfs": (-20.0, -3.0),
}
#: Probability that a render's harmony and pad parts go through a chorus.
CHORUS_PROBABILITY = 0.5
#: Roles the chorus is put on.
CHORUS_ROLES = ("harmony", "pad")
#: Lossy round trips of ``"full"``: MP3 at a LAME VBR quality (0 best … 9 smallest; ~245, 190,
#: 130, 100, 65 kbit/s; libsndfile compression level ``quality / 10``) or Ogg Vorbis at a
#: libsndfile compression level (0 best … 1 smallest; Vorbis quality ``1 − level``).
MP3_QUALITIES = (0, 2, 5, 7, 9)
VORBIS_LEVELS = (0.1, 0.4, 0.6, 0.8, 0.95)


@frozen
class ChainParams:
    """One render's draw: the sound font (``""`` = the configured one), the chain's parameters
    (see :data:`RANGES`), whether the chorus is on (``chorus``) and the codec round trip
    (``codec`` ``"none"``, ``"mp3"`` or ``"ogg"`` at ``codec_quality``)."""

    mode: str
    soundfont: str
    low_shelf_hz: float
    low_shelf_db: float
    high_shelf_hz: float
    high_shelf_db: float
    peak_hz: float
    peak_db: float
    peak_q: float
    comp_threshold_db: float
    comp_ratio: float
    comp_attack_ms: float
    comp_release_ms: float
    drive_db: float
    chorus: bool
    chorus_rate_hz: float
    chorus_depth: float
    chorus_mix: float
    width: float
    room_size: float
    reverb_wet: float
    reverb_damping: float
    peak_dbfs: float
    codec: str
    codec_quality: float

    def to_dict(self) -> dict[str, Any]:
        """Plain values, as recorded in the JAMS sandbox and (prefixed ``aug_``) the manifest."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ChainParams:
        """The parameters recorded by :meth:`to_dict` (``aug_`` prefixes accepted)."""
        plain = {k.removeprefix("aug_"): v for k, v in values.items()}
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in plain]
        if missing:
            raise RenderError(f"recorded augmentation lacks {', '.join(missing)}; re-render to record it")
        kinds: dict[str, Any] = {"str": str, "bool": bool, "float": float}
        return cls(**{f.name: kinds[str(f.type)](plain[f.name]) for f in fields(cls)})


def check_mode(mode: str) -> str:
    if mode not in RANDOMIZE_MODES:
        raise RenderError(f"randomize must be one of {', '.join(RANDOMIZE_MODES)}, got {mode!r}")
    return mode


def draw_chain(seed: int, mode: str, fonts: Sequence[str] = ()) -> ChainParams | None:
    """The chain of render ``seed`` (``None`` for mode ``"none"``).

    Every parameter is drawn in a fixed order whatever the mode, so ``"mix"`` and ``"full"`` give
    a seed the same chain; ``"full"`` adds a font from ``fonts`` (names, in table order) and a codec.
    """
    from mirloop.renderer.compose import rng_for

    if check_mode(mode) == "none":
        return None
    rng = rng_for(seed, "randomize")
    drawn = {name: round(rng.uniform(low, high), 4) for name, (low, high) in RANGES.items()}
    chorus = rng.random() < CHORUS_PROBABILITY
    font_index = rng.randrange(max(1, len(fonts)))
    use_mp3 = rng.random() < 0.5
    quality = float(rng.choice(MP3_QUALITIES) if use_mp3 else rng.choice(VORBIS_LEVELS))
    full = mode == "full"
    return ChainParams(
        mode=mode,
        soundfont=fonts[font_index] if full and fonts else "",
        chorus=chorus,
        codec=("mp3" if use_mp3 else "ogg") if full else "none",
        codec_quality=quality if full else 0.0,
        **drawn,
    )


log = logging.getLogger(__name__)
_noted: set[str] = set()

#: Sample rates MPEG audio (MP3) can be written at.
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
#: Key of the augmentation record that says which drawn codec was replaced, and why.
CODEC_FALLBACK = "codec_fallback"


def usable_chain(params: ChainParams, sr: int) -> tuple[ChainParams, str]:
    """``params`` as this machine can apply them at ``sr``, and a note when they differ: a drawn MP3
    round trip becomes Ogg Vorbis at the nearest quality where MP3 cannot be written."""
    from mirloop.renderer.effects.codec import mp3_available, vorbis_level_for_mp3

    if params.codec != "mp3" or (sr in MP3_RATES and mp3_available()):
        return params, ""
    level = vorbis_level_for_mp3(params.codec_quality)
    why = f"MP3 has no {sr} Hz" if sr not in MP3_RATES else "this libsndfile cannot write MP3"
    note = f"mp3 V{params.codec_quality:g} drawn; {why}, so ogg at level {level:g} instead"
    if why not in _noted:
        _noted.add(why)
        log.warning("%s: drawn MP3 round trips become Ogg Vorbis (recorded as %s)", why, CODEC_FALLBACK)
    return evolve(params, codec="ogg", codec_quality=level), note


def augmentation_record(params: ChainParams, note: str) -> dict[str, Any]:
    """What a render records of its chain: the applied parameters and, when the drawn codec could
    not be used, :data:`CODEC_FALLBACK` saying what was drawn and what replaced it."""
    return {**params.to_dict(), CODEC_FALLBACK: note} if note else params.to_dict()


def chorus_insert(params: ChainParams, sr: int) -> Chorus:
    """A streaming chorus for the harmony and pad bus: ``process(block (2, n), start)``."""
    return Chorus(sr, rate_hz=params.chorus_rate_hz, depth=params.chorus_depth, mix=params.chorus_mix)


class MasterChain:
    """The chain's streaming stages on ``(2, n)`` blocks: EQ → compressor → saturation → room →
    stereo width. Consecutive blocks continue one signal, so any split gives the same output."""

    def __init__(self, params: ChainParams, sr: int, *, seed: int) -> None:
        from mirloop.renderer.compose import rng_for

        self.params = params
        self.eq = Equaliser(
            [
                low_shelf(params.low_shelf_hz, params.low_shelf_db, sr),
                high_shelf(params.high_shelf_hz, params.high_shelf_db, sr),
                peaking(params.peak_hz, params.peak_db, params.peak_q, sr),
            ]
        )
        self.compressor = Compressor(
            sr,
            threshold_db=params.comp_threshold_db,
            ratio=params.comp_ratio,
            attack_ms=params.comp_attack_ms,
            release_ms=params.comp_release_ms,
        )
        noise = np.random.default_rng(rng_for(seed, "randomize", "room").getrandbits(64))
        self.room = Room(
            room_impulse(sr, size=params.room_size, damping=params.reverb_damping, rng=noise),
            wet=params.reverb_wet,
            dry=1.0 - 0.5 * params.reverb_wet,
        )

    def process(self, block: np.ndarray) -> np.ndarray:
        signal = self.compressor.process(self.eq.process(np.asarray(block, dtype=np.float64)))
        signal = self.room.process(saturate(signal, drive_db=self.params.drive_db))
        return widen(signal, width=self.params.width)


def apply_chain(audio: np.ndarray, sr: int, params: ChainParams, *, seed: int) -> np.ndarray:
    """The master chain on a finished ``(2, n)`` render of ``seed`` (which seeds the room):
    :class:`MasterChain`, then the peak level and the codec round trip (both need the whole
    signal). Same input, parameters and seed, same bytes."""
    from mirloop.renderer.effects.codec import round_trip

    if params.codec == "mp3" and usable_chain(params, sr)[0].codec != "mp3":
        raise RenderError(
            f"this machine cannot write MP3 at {sr} Hz (libsndfile ≥ 1.1 with LAME is needed); "
            "apply usable_chain(params, sr) first, which records Ogg Vorbis instead"
        )
    n = audio.shape[1]
    result = set_peak(MasterChain(params, sr, seed=seed).process(audio), peak_dbfs=params.peak_dbfs)
    result = result.astype(np.float32)
    if params.codec in ("mp3", "ogg"):
        result = round_trip(result, sr, codec=params.codec, quality=params.codec_quality)
    fitted = np.zeros((2, n), dtype=np.float32)
    fitted[:, : min(n, result.shape[1])] = result[:, :n]
    return np.clip(fitted, -1.0, 1.0)
