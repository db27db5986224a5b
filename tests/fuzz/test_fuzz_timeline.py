"""The timeline parser: any document, string or file gives a timeline or a MirloopError."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mirloop.timeline import Timeline
from tests.fuzz.conftest import byte_mutations, json_values, mutate_json, only_mirloop_errors
from tests.timeline.conftest import PAPER_TIMELINE, two_regions

SEEDS = [two_regions(), PAPER_TIMELINE]


def read_and_resolve(source: Any) -> None:
    with warnings.catch_warnings(), only_mirloop_errors():
        warnings.simplefilter("ignore")
        timeline = Timeline.from_json(source)
        timeline.regions()
        timeline.dumps()


@given(data=st.data())
def test_mutated_timelines(data: st.DataObject) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(SEEDS)))
    for _ in range(data.draw(st.integers(1, 3))):
        document = mutate_json(data.draw, document)
    read_and_resolve(document)


@given(json_values)
def test_any_json_value(document: Any) -> None:
    read_and_resolve(document)


@given(data=st.data())
def test_mutated_timeline_files(data: st.DataObject, tmp_path_factory: Any) -> None:
    text = json.dumps(data.draw(st.sampled_from(SEEDS))).encode()
    path: Path = tmp_path_factory.mktemp("timeline") / "timeline.json"
    path.write_bytes(data.draw(byte_mutations(text)))
    read_and_resolve(path)
