"""The loop's table rows are small typed records whose fields are the tables' columns."""

from __future__ import annotations

import pickle

from mirloop.catalog import load_catalog
from mirloop.loop.rows import (
    AgreementRow,
    BoundaryRow,
    MultiRow,
    SingleRow,
    agreement_rows,
    multi_rows,
    row_table,
)


def test_a_row_is_written_with_its_fields_as_columns_in_order() -> None:
    row = BoundaryRow("t", "multi-00", 0.5, 1.0, 2 / 3, 3, 2)

    assert row.to_dict() == {"track": "t", "render": "multi-00", "precision": 0.5, "recall": 1.0, "f": 2 / 3,
                             "reference_segments": 3, "render_segments": 2}
    assert list(row.to_dict()) == BoundaryRow.columns()
    assert pickle.loads(pickle.dumps(row)) == row  # rows travel back from worker processes


def test_an_empty_table_keeps_its_columns() -> None:
    assert list(row_table([], SingleRow).columns) == ["track", "render", "descriptor", "target", "expected",
                                                      "predicted"]
    assert list(row_table([], AgreementRow).columns) == AgreementRow.columns()


def test_a_multi_region_row_has_a_column_per_target_heard() -> None:
    labels = {"genre": "rock", "subgenre": "punk", "mood": "angry"}
    (row,) = multi_rows("t", "multi-00", [2], [labels])

    assert row == MultiRow("t", "multi-00", 2, "rock_punk_angry", labels)
    assert row.to_dict() == {
        "track": "t", "render": "multi-00", "segment": 2, "descriptor": "rock_punk_angry", **labels
    }


def test_agreement_counts_the_majority_of_the_renders_and_no_two_unknowns() -> None:
    catalog = load_catalog()
    name = catalog.descriptors[0].name
    genres = ["a", "a", "b", "unknown"]
    heard = multi_rows("t", "m0", [0, 0, 0, 1], [{"genre": genre} for genre in genres])
    inputs = [{"segment": 0, "descriptor": name, "genre": "a"},
              {"segment": 1, "descriptor": "not-in-the-catalog", "genre": "unknown"}]

    first, second = agreement_rows("t", heard, inputs, catalog)

    assert (first.segment, first.renders, first.agree, first.n) == (0, "a", 1.0, 3)
    assert first.rendered == catalog[name].genre
    assert (second.renders, second.agree, second.rendered) == ("unknown", 0.0, "unknown")
