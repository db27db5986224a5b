"""Every renderer option has one default and one reading, whichever way a render is asked for."""

from __future__ import annotations

import attrs
import pytest

from mirloop.errors import OptionError
from mirloop.renderer.backend import MirloopRenderer
from mirloop.renderer.option_table import OPTIONS
from mirloop.renderer.options import RenderOptions


def test_the_public_render_options_and_the_backend_have_the_same_defaults() -> None:
    defaults = {field.name: field.default for field in attrs.fields(RenderOptions)}
    assert defaults == {name: option.default for name, option in MirloopRenderer.options.items()}
    assert defaults == {name: option.default for name, option in OPTIONS.items()}
    assert RenderOptions().block == MirloopRenderer().opts["block"] == 16384


@pytest.mark.parametrize(("text", "value"), [("yes", True), (" ON ", True), ("1", True), ("off", False),
                                             ("False", False), ("0", False)])
def test_both_render_paths_read_a_boolean_word_alike(text: str, value: bool) -> None:
    assert RenderOptions.from_mapping({"stems": text}).stems is value
    assert MirloopRenderer(stems=text).opts["stems"] is value


def test_a_word_that_is_not_a_boolean_is_refused_by_both_render_paths() -> None:
    with pytest.raises(OptionError, match=r"renderer option 'stems' expects bool, got 'maybe'"):
        RenderOptions.from_mapping({"stems": "maybe"})
    with pytest.raises(OptionError, match=r"option 'stems' of backend 'mirloop' expects bool, got 'maybe'"):
        MirloopRenderer(stems="maybe")


def test_a_randomize_mode_outside_the_choices_is_refused_by_both_render_paths() -> None:
    modes = r"must be one of \['none', 'mix', 'full'\]"
    with pytest.raises(OptionError, match=rf"renderer option 'randomize' {modes}"):
        RenderOptions.from_mapping({"randomize": "some"})
    with pytest.raises(OptionError, match=rf"option 'randomize' of backend 'mirloop' {modes}"):
        MirloopRenderer(randomize="some")
