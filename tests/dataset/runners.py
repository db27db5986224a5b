"""Render runners for generation tests; importable by name, so worker processes can run them."""

from __future__ import annotations

import os

from mirloop.dataset.manifest import ManifestRow
from mirloop.dataset.plan import RenderJob
from mirloop.dataset.render_job import JobSettings, run_job

#: The render on which :func:`dies_on_the_second_render` ends its process.
DOOMED = "rock_indie_driving-3s-002"


def dies_on_the_second_render(job: RenderJob, settings: JobSettings) -> ManifestRow:
    """:func:`~mirloop.dataset.render_job.run_job`, except that the process exits abruptly
    (``os._exit``, as a crash in native code would) on :data:`DOOMED`."""
    if job.render_id == DOOMED:
        os._exit(70)
    return run_job(job, settings)
