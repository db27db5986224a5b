"""What is wrong with a damaged audio file that was still decoded (see ``docs/analysis-outputs.md``)."""

from __future__ import annotations

from typing import Any

from attrs import frozen


@frozen
class AudioDamage:
    """A file that decoded only in part, or whose header disagrees with what it holds.

    ``decoded_seconds`` is the audio that decoded; ``declared_seconds`` the length the header
    promises, ``None`` when the file does not say (an unfinished WAV header, an Ogg stream cut
    before its last page). ``problems`` name what was found, in words.
    """

    problems: tuple[str, ...]
    decoded_seconds: float
    declared_seconds: float | None = None

    @property
    def missing_seconds(self) -> float | None:
        """Seconds the header promises beyond what decoded (``None`` when unknown)."""
        if self.declared_seconds is None:
            return None
        return max(0.0, self.declared_seconds - self.decoded_seconds)

    @property
    def missing_fraction(self) -> float | None:
        """:attr:`missing_seconds` as a share of the declared length (``None`` when unknown)."""
        missing = self.missing_seconds
        if missing is None or not self.declared_seconds:
            return None
        return missing / self.declared_seconds

    def describe(self) -> str:
        """One line: how much is missing, then the problems."""
        missing, fraction = self.missing_seconds, self.missing_fraction
        if missing is None or fraction is None:
            amount = f"decoded {self.decoded_seconds:.2f} s; how much is missing is unknown"
        else:
            amount = (
                f"{missing:.2f} s of {self.declared_seconds:.2f} s did not decode ({100 * fraction:.2f} %)"
            )
        return f"{amount}: {'; '.join(self.problems)}"

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON and the JAMS sandbox."""
        return {
            "problems": list(self.problems),
            "decoded_seconds": round(self.decoded_seconds, 3),
            "declared_seconds": None if self.declared_seconds is None else round(self.declared_seconds, 3),
            "missing_seconds": None if self.missing_seconds is None else round(self.missing_seconds, 3),
            "missing_fraction": None if self.missing_fraction is None else round(self.missing_fraction, 5),
        }
