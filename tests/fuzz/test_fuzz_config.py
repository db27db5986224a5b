"""The configuration loader: any file, environment value or override gives a configuration
or a MirloopError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mirloop.config import load_config
from mirloop.stages import STAGES
from tests.fuzz.conftest import byte_mutations, only_mirloop_errors

VALID = b"""[tempo]
backend = "librosa"
max_bpm = 210

[segmenter]
backend = "laplacian"
max_sections = 8

[renderer]
sr = 22050
"""

names = st.sampled_from([*STAGES, "backend", "max_bpm", "sr", "none", "librosa", "x"]) | st.text(max_size=6)
toml_scalars = (
    st.integers(-(2**63), 2**63 - 1).map(str)
    | st.floats().map(lambda f: {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(f), repr(f)))
    | st.booleans().map(lambda b: str(b).lower())
    | names.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
    | st.just("[1, 2]")
    | st.just("{a = 1}")
)


@st.composite
def toml_documents(draw: st.DrawFn) -> bytes:
    """TOML made of stage-like tables and keys holding any kind of value."""
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        lines.append(f'["{draw(names)}"]'.replace("\n", " "))
        for _ in range(draw(st.integers(0, 3))):
            lines.append(f'"{draw(names)}" = {draw(toml_scalars)}'.replace("\n", " "))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def load_and_validate(**kwargs: Any) -> None:
    with only_mirloop_errors():
        load_config(**kwargs).validate()


@given(data=st.data())
def test_config_files(data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    text = data.draw(toml_documents() | byte_mutations(VALID))
    folder = tmp_path_factory.mktemp("config")
    path = folder / "mirloop.toml"
    path.write_bytes(text)
    load_and_validate(config=str(path), cwd=folder, environ={})
    load_and_validate(cwd=folder, environ={})  # found as ./mirloop.toml


@given(use=st.text(max_size=30), set_=st.text(max_size=30))
def test_environment_and_overrides(use: str, set_: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder: Path = tmp_path_factory.getbasetemp()
    load_and_validate(cwd=folder, environ={"MIRLOOP_USE": use, "MIRLOOP_SET": set_})
    load_and_validate(cwd=folder, environ={}, use=[use], set=[set_])
    load_and_validate(cwd=folder, environ={"MIRLOOP_CONFIG": use})
