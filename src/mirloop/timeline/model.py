"""The former name of :mod:`mirloop.timeline.document`, kept so that old imports of
``mirloop.timeline.model.Timeline`` still work; importing it warns (:class:`DeprecationWarning`)."""

from __future__ import annotations

import warnings

from mirloop.timeline.document import *  # noqa: F403
from mirloop.timeline.document import Timeline

warnings.warn(
    "mirloop.timeline.model is now mirloop.timeline.document; import Timeline from mirloop.timeline",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["Timeline"]
