"""What ``load_audio`` makes of damaged files built from generated audio (the table in
``docs/analysis-outputs.md``, "Damaged audio"): run from the repository root,
``python benchmarks/damaged_inputs.py``."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test helpers that build the files
    from tests.io.damaged_files import SR, cut, garble, ogg, ogg_promising_more, wav, wav_data_size

    from mirloop.errors import AudioError
    from mirloop.io.audio import load_audio

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        cases: dict[str, Callable[[], Path]] = {
            "60-s Ogg whose last page promises 0.13 s more": lambda: ogg_promising_more(
                ogg(folder / "a.ogg", 60), extra_frames=round(0.13 * SR)
            ),
            "20-s Ogg cut to 60 % of its bytes": lambda: cut(ogg(folder / "b.ogg", 20), keep=0.6),
            "60-s Ogg, 200 bytes garbled in the middle": lambda: garble(
                ogg(folder / "c.ogg", 60), at=0.5, size=200
            ),
            "20-s WAV with data size 0": lambda: wav_data_size(wav(folder / "d.wav", 20), 0),
            "60-s WAV missing its last 0.1 %": lambda: cut(wav(folder / "e.wav", 60), keep=0.999),
            "20-s WAV missing 10 %": lambda: cut(wav(folder / "f.wav", 20), keep=0.9),
            "20-s WAV whose header promises 3x the audio": lambda: wav_data_size(
                wav(folder / "g.wav", 20), 3 * 20 * SR * 2
            ),
        }
        for name, make in cases.items():
            try:
                audio = load_audio(make())
            except AudioError as exc:
                print(f"{name}: refused — {str(exc).split(' — ', 1)[1].split('; that is')[0]}")
                continue
            damage = audio.damage.describe() if audio.damage else "no damage"
            print(f"{name}: analysed {audio.duration:.2f} s — {damage}")


if __name__ == "__main__":
    main()
