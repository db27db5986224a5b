"""Unknown stages, backends and options fail with the list of valid ones."""

from __future__ import annotations

from typing import ClassVar

import pytest

from mirloop.errors import BackendNotFoundError, ConfigError, OptionError
from mirloop.plugins import build_registry
from mirloop.stages import Backend, Option
from tests.core.plugin_sources import FIXED_TEMPO_PLUGIN, InstallPlugin


@pytest.fixture
def fixed_tempo(install_plugin: InstallPlugin) -> type[Backend]:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)
    cls: type[Backend] = build_registry().get("tempo", "fixed").cls
    return cls


def test_an_unknown_backend_lists_the_installed_ones(fixed_tempo: type[Backend]) -> None:
    with pytest.raises(BackendNotFoundError, match=r"no tempo backend named 'fixd'\. Installed: .*fixed"):
        build_registry().get("tempo", "fixd")


def test_an_unknown_stage_lists_the_stages() -> None:
    expected = r"unknown stage 'tempi'; stages are: separator, features, tempo"
    with pytest.raises(BackendNotFoundError, match=expected):
        build_registry().get("tempi", "librosa")


def test_a_separately_shipped_backend_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIRLOOP_DISABLE_PLUGIN_AUTOLOAD", "1")  # as if mirloop-madmom were not installed
    with pytest.raises(BackendNotFoundError, match=r"pip install \./plugins/mirloop-madmom"):
        build_registry().get("tempo", "madmom")


def test_backend_not_found_is_a_config_error() -> None:
    assert issubclass(BackendNotFoundError, ConfigError)


def test_options_default_and_convert_from_text(fixed_tempo: type[Backend]) -> None:
    assert fixed_tempo().opts == {"bpm": 120.0, "feel": "straight"}
    assert fixed_tempo(bpm="96").opts["bpm"] == 96.0


def test_an_unknown_option_lists_the_valid_ones(fixed_tempo: type[Backend]) -> None:
    expected = r"unknown option\(s\) max_bpm for tempo backend 'fixed'; valid options: bpm, feel"
    with pytest.raises(OptionError, match=expected):
        fixed_tempo(max_bpm=200)


def test_an_option_value_of_the_wrong_type_names_the_expected_type(fixed_tempo: type[Backend]) -> None:
    with pytest.raises(OptionError, match=r"option 'bpm' of backend 'fixed' expects float, got 'fast'"):
        fixed_tempo(bpm="fast")


def test_an_option_value_outside_its_choices_lists_them(fixed_tempo: type[Backend]) -> None:
    expected = r"option 'feel' of backend 'fixed' must be one of \['straight', 'swing'\]"
    with pytest.raises(OptionError, match=expected):
        fixed_tempo(feel="shuffle")


def test_boolean_options_accept_the_usual_spellings_and_refuse_others() -> None:
    class Toggle(Backend):
        name = "toggle"
        stage = "tempo"
        options: ClassVar[dict[str, Option]] = {"on": Option(False, bool)}

    assert [Toggle(on=text).opts["on"] for text in ("yes", "off", "1", "False")] == [True, False, True, False]
    with pytest.raises(OptionError, match="expects bool"):
        Toggle(on="maybe")
