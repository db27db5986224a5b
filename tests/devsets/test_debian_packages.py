"""Licenses from Debian copyright files, and the cache's file names."""

from __future__ import annotations

from devsets.real_music.debian_packages import deb_filename_glob, license_for, parse_copyright

from tests.devsets.conftest import COPYRIGHT


def test_the_last_matching_files_stanza_gives_the_license() -> None:
    stanzas = parse_copyright(COPYRIGHT)
    assert license_for(stanzas, "data/music/calm.wav") == "CC-BY-SA-3.0"
    assert license_for(stanzas, "data/music/Rock_Song.ogg") == "GPL-2+"


def test_files_fields_spread_over_several_lines_are_read_whole() -> None:
    stanzas = parse_copyright(COPYRIGHT)
    assert stanzas[1].patterns == ("data/music/calm.wav", "data/music/other.wav")


def test_a_free_form_copyright_file_gives_no_license() -> None:
    text = "This package was debianized by someone.\n\nCopyright: 2002 Kenta Cho\n\nLicense:\n BSD\n"
    assert license_for(parse_copyright(text), "sounds/stg0.ogg") == ""


def test_an_epoch_in_the_version_is_spelt_as_apt_get_download_spells_it() -> None:
    assert deb_filename_glob("widelands-data", "2:1.1-3") == "widelands-data_2%3a1.1-3_*.deb"
