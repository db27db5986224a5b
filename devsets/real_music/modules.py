"""Module renders: tracker modules (.xm, .it, .mod, .s3m) played by ``openmpt123`` to FLAC.

``openmpt123`` (Debian package ``openmpt123``) plays the module once, without repeats, into a
32-bit float WAV at the set's sample rate in stereo; the float samples are written as 16-bit
FLAC without dither. The render is a pure function of (module bytes, openmpt123 version, sample
rate, length cap): same inputs, same FLAC bytes. The module's song message (title, composer's
notes, instrument names) is what ``openmpt123 --info --message`` prints; the set quotes it as
evidence.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import soundfile as sf

from devsets.real_music.renders import RenderError, flac_bytes

#: File name endings of the tracker modules the set renders.
MODULE_SUFFIXES = (".xm", ".it", ".mod", ".s3m")


@functools.cache
def openmpt_version() -> str:
    """``openmpt123``'s version (e.g. ``0.6.9``), or a :class:`RenderError` when it is missing."""
    exe = shutil.which("openmpt123")
    if exe is None:
        raise RenderError("module renders need openmpt123: apt-get install openmpt123")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"openmpt123 v([0-9][0-9A-Za-z.+~-]*)", out)
    if match is None:
        raise RenderError(f"cannot read openmpt123's version from {out.splitlines()[:1]}")
    return match.group(1)


def module_info(path: Path) -> dict[str, str]:
    """The fields ``openmpt123 --info --message`` prints for ``path`` (``Message`` joined by newlines)."""
    openmpt_version()
    out = subprocess.run(
        ["openmpt123", "--info", "--message", str(path)], capture_output=True, text=True, check=False
    ).stdout
    info: dict[str, str] = {}
    key = ""
    for line in out.splitlines():
        match = re.match(r"^(\w[\w ]*?)\.*: ?(.*)$", line)
        if match and not line.startswith(" "):
            key = match.group(1)
            info[key] = match.group(2).strip().strip('"')
        elif key == "Message" and re.match(r"^\s+: ?", line):
            info[key] += "\n" + re.sub(r"^\s+: ?", "", line).rstrip()
    if "Message" in info:
        info["Message"] = info["Message"].strip("\n")
    return info


def render_module(data: bytes, *, suffix: str, sr: int, max_seconds: float) -> bytes:
    """16-bit stereo FLAC of the module ``data`` (its file name ending ``suffix``), played once."""
    openmpt_version()
    with tempfile.TemporaryDirectory(prefix="mirloop-module-") as tmp:
        module = Path(tmp) / f"module{suffix}"
        module.write_bytes(data)
        wav = Path(tmp) / "render.wav"
        command = [
            "openmpt123", "--batch", "--quiet", "--force", "--samplerate", str(sr), "--channels", "2",
            "--float", "--repeat", "0", "--end-time", f"{max_seconds:g}", "-o", str(wav), str(module),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not wav.is_file():
            raise RenderError(
                f"openmpt123 cannot render the module: {done.stderr.strip() or done.stdout.strip()}"
            )
        audio, rate = sf.read(wav, dtype="float32", always_2d=True)
    if rate != sr or audio.shape[1] != 2:
        raise RenderError(f"openmpt123 wrote {audio.shape[1]} channels at {rate} Hz, not stereo at {sr} Hz")
    if not len(audio) or float(abs(audio).max()) == 0.0:
        raise RenderError("the module renders to silence")
    return flac_bytes(audio.clip(-1.0, 1.0), sr)
