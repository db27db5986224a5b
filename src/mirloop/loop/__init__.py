"""The feedback loop: reference track → merged 2-s grid → segment reduction → renders →
re-classification → accuracy and consistency report.

Each step lives in its own module: :mod:`.merge` (every stage on the common grid),
:mod:`.reduce` (majority per form segment, top candidates per track), :mod:`.renders`
(single- and multi-region timelines and their renders), :mod:`.scores` (accuracy,
consistency, boundary fidelity, prediction spread), :mod:`.report` (tables and JSON) and
:mod:`.html` (the HTML report). :func:`mirloop.loop.run.run_loop` runs them all.
"""

from mirloop.loop.merge import merged_grid
from mirloop.loop.reduce import Candidates, reduce_segments, segment_majorities, top_candidates

__all__ = ["Candidates", "merged_grid", "reduce_segments", "segment_majorities", "top_candidates"]
