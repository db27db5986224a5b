"""The bundled example tracks a visitor can pick instead of uploading one.

They are the audio files of the source tree's ``examples/audio/`` (with their licence notes
there); an installed package without the source tree offers none. A track is picked by its file
name, looked up in the listing, never joined to a path.
"""

from __future__ import annotations

from pathlib import Path

#: Where the bundled examples are: ``examples/audio`` of the source tree.
EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "audio"
#: File suffixes listed as examples.
SUFFIXES = (".ogg", ".flac", ".wav", ".mp3")


def examples(folder: Path = EXAMPLES) -> dict[str, Path]:
    """Example file name → path, sorted by name (empty when the folder is missing)."""
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in SUFFIXES}


__all__ = ["EXAMPLES", "examples"]
