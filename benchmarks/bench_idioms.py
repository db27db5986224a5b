"""The genre idioms of the mix, measured on renders with and without them.

    .venv/bin/python benchmarks/bench_idioms.py

Prints, for a house render, the pad's level change just after each kick (side-chain pumping)
and, for a power-trio rock render, the distortion guitar's crest factor (drive), each with the
renderer option ``idioms`` on and off (GM production, which plays them only when asked; 22.05 kHz,
bundled sound font, seed 4, stems).
"""

from __future__ import annotations

from mirloop.renderer import render_descriptor
from mirloop.renderer.idiom_measures import crest_db, kick_dip_db, kick_times

SR = 22050


def main() -> None:
    for idioms in (True, False):
        config = {"sr": SR, "soundfont": "bundled", "production": "gm", "idioms": idioms, "stems": True}
        house = render_descriptor(
            "electronica_house_driving", 12.0, seed=4, band="piano_house", config=config
        )
        rock = render_descriptor("rock_classic_aggressive", 8.0, seed=4, band="power_trio", config=config)
        assert house.stems is not None and rock.stems is not None
        dip = kick_dip_db(house.stems["warm_pad"].samples, SR, kick_times(house.pretty_midi))
        crest = crest_db(rock.stems["distortion_guitar"].samples)
        print(f"idioms={idioms!s:5}  house pad after each kick {dip:+.1f} dB   "
              f"rock guitar crest {crest:.1f} dB")


if __name__ == "__main__":
    main()
