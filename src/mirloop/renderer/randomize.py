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

The chain runs on `pedalboard <https://github.com/spotify/pedalboard>`_ (GPL-3.0, the optional
extra ``mirloop[augment]``), which the default renderer does not need.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from attrs import asdict, fields, frozen

from mirloop.errors import RenderError
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
#: 130, 100, 65 kbit/s) or Ogg Vorbis at a libsndfile compression level (0 best … 1 smallest).
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


def _pedalboard() -> Any:
    try:
        import pedalboard
    except ImportError as exc:
        raise RenderError(
            "domain randomisation (renderer option randomize=mix|full) needs pedalboard: "
            "pip install 'mirloop[augment]' (or pip install pedalboard)"
        ) from exc
    return pedalboard


def chorus_insert(params: ChainParams, sr: int) -> _ChorusInsert:
    """A streaming chorus for the harmony and pad bus: ``process(block (2, n), start)``."""
    return _ChorusInsert(params, sr)


class _ChorusInsert:
    def __init__(self, params: ChainParams, sr: int) -> None:
        pb = _pedalboard()
        self.sr = sr
        self.board = pb.Pedalboard(
            [pb.Chorus(rate_hz=params.chorus_rate_hz, depth=params.chorus_depth, mix=params.chorus_mix)]
        )
        self.first = True

    def process(self, block: np.ndarray, start: int) -> np.ndarray:
        out = self.board(np.ascontiguousarray(block, dtype=np.float32), self.sr, reset=self.first)
        self.first = False
        return np.asarray(out, dtype=np.float32)


def apply_chain(audio: np.ndarray, sr: int, params: ChainParams) -> np.ndarray:
    """The master chain on a finished ``(2, n)`` render: EQ → compressor → saturation → reverb →
    stereo width → peak level → codec round trip. Same input and parameters, same bytes."""
    pb = _pedalboard()
    board = pb.Pedalboard(
        [
            pb.LowShelfFilter(cutoff_frequency_hz=params.low_shelf_hz, gain_db=params.low_shelf_db),
            pb.HighShelfFilter(cutoff_frequency_hz=params.high_shelf_hz, gain_db=params.high_shelf_db),
            pb.PeakFilter(cutoff_frequency_hz=params.peak_hz, gain_db=params.peak_db, q=params.peak_q),
            pb.Compressor(
                threshold_db=params.comp_threshold_db,
                ratio=params.comp_ratio,
                attack_ms=params.comp_attack_ms,
                release_ms=params.comp_release_ms,
            ),
            pb.Distortion(drive_db=params.drive_db),
            pb.Reverb(
                room_size=params.room_size,
                damping=params.reverb_damping,
                wet_level=params.reverb_wet,
                dry_level=1.0 - 0.5 * params.reverb_wet,
            ),
        ]
    )
    n = audio.shape[1]
    out = np.asarray(board(np.ascontiguousarray(audio, dtype=np.float32), sr, reset=True), dtype=np.float64)
    mid, side = (out[0] + out[1]) / 2, (out[0] - out[1]) / 2 * params.width
    out = np.stack([mid + side, mid - side])
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > 0:
        out *= 10 ** (params.peak_dbfs / 20) / peak
    result = out.astype(np.float32)
    if params.codec == "mp3":
        codec = pb.Pedalboard([pb.MP3Compressor(vbr_quality=params.codec_quality)])
        result = np.asarray(codec(result, sr, reset=True), dtype=np.float32)
    elif params.codec == "ogg":
        result = _vorbis_round_trip(result, sr, params.codec_quality)
    fitted = np.zeros((2, n), dtype=np.float32)
    fitted[:, : min(n, result.shape[1])] = result[:, :n]
    return np.clip(fitted, -1.0, 1.0)


def _vorbis_round_trip(audio: np.ndarray, sr: int, level: float) -> np.ndarray:
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, audio.T, sr, format="OGG", subtype="VORBIS", compression_level=level)
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32", always_2d=True)
    return np.ascontiguousarray(decoded.T)
