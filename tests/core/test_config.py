"""Configuration: which backend serves each stage, layered from several sources (later wins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.config import DEFAULT_BACKENDS, defaults, load_config, parse_value
from mirloop.errors import BackendNotFoundError, ConfigError, OptionError
from mirloop.stages import STAGES
from tests.core.plugin_sources import FIXED_TEMPO_PLUGIN, InstallPlugin

#: Every stage but tempo switched off, so validation looks at tempo only.
ONLY_TEMPO = {stage: "none" for stage in STAGES if stage != "tempo"}
LAYERS = ("pyproject", "mirloop.toml", "MIRLOOP_CONFIG", "MIRLOOP_SET", "config=", "--set")


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def load_layers(tmp_path: Path, layers: tuple[str, ...], values: dict[str, str]) -> dict[str, object]:
    """Apply ``values[layer]`` (a tempo option value) through each named layer; return tempo's options."""
    environ: dict[str, str] = {}
    config: dict[str, object] | None = None
    cli_set: list[str] = []
    for layer in layers:
        value = values[layer]
        if layer == "pyproject":
            write(tmp_path / "pyproject.toml", f'[tool.mirloop.tempo]\norigin = "{value}"\n')
        elif layer == "mirloop.toml":
            write(tmp_path / "mirloop.toml", f'[tempo]\norigin = "{value}"\n')
        elif layer == "MIRLOOP_CONFIG":
            environ["MIRLOOP_CONFIG"] = str(write(tmp_path / "env.toml", f'[tempo]\norigin = "{value}"\n'))
        elif layer == "MIRLOOP_SET":
            environ["MIRLOOP_SET"] = f"tempo.origin={value}"
        elif layer == "config=":
            config = {"tempo": {"origin": value}}
        elif layer == "--set":
            cli_set.append(f"tempo.origin={value}")
    return load_config(config, set=cli_set, cwd=tmp_path, environ=environ).options("tempo")


def test_the_defaults_name_a_backend_for_every_stage() -> None:
    config = load_config(cwd=Path("/nonexistent"), environ={})
    assert set(config.stages) == set(STAGES)
    assert {stage: config.backend(stage) for stage in STAGES} == DEFAULT_BACKENDS
    assert config.sources == ("defaults",)


@pytest.mark.parametrize("top", range(len(LAYERS)), ids=LAYERS)
def test_each_layer_overrides_every_layer_below_it(tmp_path: Path, top: int) -> None:
    layers = LAYERS[: top + 1]
    options = load_layers(tmp_path, layers, {layer: layer for layer in LAYERS})
    assert options["origin"] == LAYERS[top]


def test_backend_choice_follows_the_same_order(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.mirloop]\ntempo = "from-pyproject"\nkey = "from-pyproject"\n')
    write(tmp_path / "mirloop.toml", '[tempo]\nbackend = "from-file"\n[key]\nbackend = "from-file"\n')
    environ = {"MIRLOOP_USE": "tempo=from-env,segmenter=from-env"}
    config = load_config(
        {"segmenter": "from-python"}, use=["segmenter=from-cli"], cwd=tmp_path, environ=environ
    )
    assert config.backend("key") == "from-file"
    assert config.backend("tempo") == "from-env"
    assert config.backend("segmenter") == "from-cli"
    assert config.sources == (
        "defaults",
        f"{tmp_path / 'pyproject.toml'} [tool.mirloop]",
        str(tmp_path / "mirloop.toml"),
        "MIRLOOP_USE",
        "config=",
        "--use",
    )


def test_a_config_file_given_from_python_is_a_layer_like_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "team.toml", "[tempo]\nmax_bpm = 180\n")
    assert load_config(path, cwd=tmp_path, environ={}).options("tempo") == {"max_bpm": 180}


def test_options_of_the_same_backend_accumulate_across_layers(tmp_path: Path) -> None:
    write(tmp_path / "mirloop.toml", '[tempo]\nbackend = "librosa"\nmax_bpm = 210\n')
    config = load_config(set=["tempo.min_bpm=50"], cwd=tmp_path, environ={})
    assert config.options("tempo") == {"max_bpm": 210, "min_bpm": 50}


def test_switching_backend_drops_the_options_of_the_previous_one(tmp_path: Path) -> None:
    write(tmp_path / "mirloop.toml", '[tempo]\nbackend = "librosa"\nmax_bpm = 210\n')
    config = load_config(use=["tempo=other"], cwd=tmp_path, environ={})
    assert (config.backend("tempo"), config.options("tempo")) == ("other", {})


def test_a_pyproject_without_a_mirloop_table_changes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 90\n')
    assert load_config(cwd=tmp_path, environ={}).to_dict() == defaults().to_dict()


@pytest.mark.parametrize(
    ("text", "value"),
    [("200", 200), ("0.5", 0.5), ("true", True), ('"quoted"', "quoted"), ("librosa", "librosa")],
)
def test_command_line_values_are_toml_literals_or_plain_text(text: str, value: object) -> None:
    assert parse_value(text) == value


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    write(tmp_path / "mirloop.toml", "[tempo\nmax_bpm = \n")
    with pytest.raises(ConfigError, match=r"mirloop\.toml is not valid TOML"):
        load_config(cwd=tmp_path, environ={})


def test_a_missing_config_file_from_the_environment_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file .*missing\.toml does not exist"):
        load_config(cwd=tmp_path, environ={"MIRLOOP_CONFIG": str(tmp_path / "missing.toml")})


def test_an_unknown_stage_in_a_file_names_the_file_and_lists_the_stages(tmp_path: Path) -> None:
    write(tmp_path / "mirloop.toml", '[tempi]\nbackend = "librosa"\n')
    expected = r"mirloop\.toml: unknown stage 'tempi'; stages are: separator, features"
    with pytest.raises(ConfigError, match=expected):
        load_config(cwd=tmp_path, environ={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tempo = 3\n", r"\[tempo\] must be a table or a backend name, got 3"),
        ("[tempo]\nbackend = 7\n", r"tempo\.backend must be a non-empty string, got 7"),
        ('[tempo]\nbackend = ""\n', r"tempo\.backend must be a non-empty string"),
    ],
)
def test_bad_values_in_a_file_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "mirloop.toml", text)
    with pytest.raises(ConfigError, match=message):
        load_config(cwd=tmp_path, environ={})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"use": ["tempo"]}, r"--use expects stage=backend \(e\.g\. tempo=librosa\), got 'tempo'"),
        ({"use": ["=librosa"]}, r"--use expects stage=backend"),
        ({"set": ["max_bpm=200"]}, r"--set expects stage\.option=value \(e\.g\. tempo\.max_bpm=200\), got"),
        ({"use": ["tempi=librosa"]}, r"--use: unknown stage 'tempi'"),
    ],
)
def test_malformed_command_line_overrides_say_what_was_expected(
    tmp_path: Path, kwargs: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(cwd=tmp_path, environ={}, **kwargs)  # type: ignore[arg-type]


def test_malformed_environment_overrides_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"MIRLOOP_SET expects stage\.option=value"):
        load_config(cwd=tmp_path, environ={"MIRLOOP_SET": "oops"})


def test_validation_lists_the_installed_backends_for_an_unknown_name(
    tmp_path: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)
    config = load_config(ONLY_TEMPO, use=["tempo=fxed"], cwd=tmp_path, environ={})
    with pytest.raises(BackendNotFoundError, match=r"no tempo backend named 'fxed'\. Installed: .*fixed"):
        config.validate()


def test_validation_checks_options_against_the_chosen_backend(
    tmp_path: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)
    config = load_config({**ONLY_TEMPO, "tempo": {"backend": "fixed", "bmp": 90}}, cwd=tmp_path, environ={})
    with pytest.raises(OptionError, match=r"unknown option\(s\) bmp for tempo backend 'fixed'; valid"):
        config.validate()


def test_a_stage_switched_off_takes_no_options(tmp_path: Path) -> None:
    config = load_config({"separator": {"backend": "none", "stems": 2}}, cwd=tmp_path, environ={})
    with pytest.raises(ConfigError, match=r"stage 'separator' is switched off \('none'\) but has options"):
        config.validate()
