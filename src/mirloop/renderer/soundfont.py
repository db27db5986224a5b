"""Finding General MIDI SoundFonts and sharing loaded synthesizers.

Order of preference: the ``soundfont`` option (which ``$MIRLOOP_SOUNDFONT`` gives as a layer of
:mod:`mirloop.config`), a system GM font
(Debian's ``fluid-soundfont-gm``), and the small GM font that ships inside ``pretty_midi``
(always present).

Domain-randomised renders draw one of several GM fonts (:data:`GM_FONTS`, each from a Debian
package); :func:`installed_soundfonts` lists those present and names the missing ones.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
from attrs import frozen

from mirloop.errors import RenderError

SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
)


@frozen
class GmFont:
    """A General MIDI SoundFont a render may use: its short ``name``, the Debian ``package`` that
    installs it and the ``paths`` where that package puts it (first found wins)."""

    name: str
    package: str
    paths: tuple[str, ...]


#: The GM fonts domain randomisation draws from, in a fixed order (the draw is by index, so this
#: order is part of what a seed means). ``timgm6mb`` is also bundled with pretty_midi.
GM_FONTS = (
    GmFont("fluidr3", "fluid-soundfont-gm", ("/usr/share/sounds/sf2/FluidR3_GM.sf2",)),
    GmFont(
        "musescore_general",
        "musescore-general-soundfont-small",
        (
            "/usr/share/sounds/sf2/MuseScore_General.sf2",
            "/usr/share/sounds/sf3/MuseScore_General.sf3",
            "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3",
        ),
    ),
    GmFont("timgm6mb", "timgm6mb-soundfont", ("/usr/share/sounds/sf2/TimGM6mb.sf2",)),
    GmFont("opl3", "opl3-soundfont", ("/usr/share/sounds/sf2/OPL-3_FM_128M.sf2",)),
    GmFont("csound_gm", "csound-soundfont", ("/usr/share/sounds/sf2/sf_GMbank.sf2",)),
)

log = logging.getLogger(__name__)
_noted: set[str] = set()


def installed_soundfonts() -> tuple[dict[str, Path], tuple[GmFont, ...]]:
    """The :data:`GM_FONTS` found on this machine (name → file, in table order) and those missing.

    TimGM6mb falls back to pretty_midi's bundled copy. A missing font is logged once per process
    (a note naming the Debian package), never an error.
    """
    found: dict[str, Path] = {}
    missing: list[GmFont] = []
    for font in GM_FONTS:
        path = next((Path(p) for p in font.paths if os.path.isfile(p)), None)
        if path is None and font.name == "timgm6mb" and bundled_soundfont().is_file():
            path = bundled_soundfont()
        if path is None:
            missing.append(font)
            if font.name not in _noted:
                _noted.add(font.name)
                log.info("GM SoundFont %s not installed (apt-get install %s)", font.name, font.package)
        else:
            found[font.name] = path
    return found, tuple(missing)


def bundled_soundfont() -> Path:
    """``TimGM6mb.sf2`` from the ``pretty_midi`` package."""
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


def find_soundfont(option: str | os.PathLike[str] | None = None, *, autodetect: bool = True) -> Path:
    """The SoundFont to use: ``option`` if given (``"auto"``/empty means look around), else the best found."""
    if option not in (None, "", "auto"):
        path = Path(str(option)).expanduser()
        if path.is_file():
            return path
        if str(option) == "bundled":
            return bundled_soundfont()
        raise RenderError(
            f"SoundFont {path} does not exist; give an .sf2 file, 'auto' or 'bundled' "
            f"(install a GM font with: apt-get install fluid-soundfont-gm)"
        )
    if autodetect:
        for candidate in SYSTEM_SOUNDFONTS:
            if os.path.isfile(candidate):
                return Path(candidate)
    bundled = bundled_soundfont()
    if not bundled.is_file():
        raise RenderError(
            "no General MIDI SoundFont found; pass the renderer option soundfont=/path/to/font.sf2"
        )
    return bundled


#: Idle synthesizers kept for reuse, over all fonts: a loaded font takes 5–500 MB (FluidR3
#: about 290 MB, MuseScore General about 490 MB) and 0.03–3.5 s to load, and a render uses one
#: per bus at a time.
MAX_IDLE = 5


class SynthPool:
    """Loaded ``tinysoundfont`` SoundFonts, reused across renders (loading a large font takes time).

    At most :data:`MAX_IDLE` idle ones are kept. Over the limit, the least recently released copy
    of a font with another idle copy goes first, so that renders drawing their font at random
    (domain randomisation) keep one loaded copy of each font rather than reloading them.
    """

    def __init__(self) -> None:
        self._free: dict[tuple[str, int], list[Any]] = {}
        self._idle: list[tuple[tuple[str, int], Any]] = []  # release order, oldest first
        self._lock = threading.Lock()

    def acquire(self, path: Path, sr: int) -> Any:
        """A reset synthesizer for ``path`` producing interleaved stereo float32 at ``sr`` Hz."""
        try:
            from tinysoundfont import _tinysoundfont as tsf
        except ImportError as exc:
            raise RenderError(
                "the renderer needs the tinysoundfont synthesizer: pip install --no-deps tinysoundfont"
            ) from exc

        key = (str(path), sr)
        with self._lock:
            free = self._free.get(key)
            font = free.pop() if free else None
            if font is not None:
                self._idle = [(k, f) for k, f in self._idle if f is not font]
        if font is None:
            try:
                font = tsf.SoundFont(str(path))
            except Exception as exc:  # the binding raises plain exceptions for unreadable files
                raise RenderError(f"cannot load SoundFont {path}: {exc}") from exc
        font.set_output(tsf.OutputMode.StereoInterleaved, sr, 0.0)
        font.set_max_voices(40)
        # reset() only fades sounding voices out quickly: let them finish, then reset the channels,
        # so a reused synthesizer starts exactly like a fresh one
        font.reset()
        scratch = np.zeros((sr // 10, 2), dtype=np.float32)
        font.render(memoryview(scratch), False)  # type: ignore[arg-type]
        font.reset()
        return font

    def release(self, path: Path, sr: int, font: Any) -> None:
        key = (str(path), sr)
        with self._lock:
            self._free.setdefault(key, []).append(font)
            self._idle.append((key, font))
            while len(self._idle) > MAX_IDLE:
                spare = [i for i, (k, _) in enumerate(self._idle) if len(self._free[k]) > 1]
                old_key, old = self._idle.pop(spare[0] if spare else 0)
                self._free[old_key] = [f for f in self._free[old_key] if f is not old]

    @property
    def idle(self) -> int:
        """How many loaded synthesizers wait for reuse."""
        with self._lock:
            return len(self._idle)


POOL = SynthPool()
