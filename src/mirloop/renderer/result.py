"""The render result types, which live in :mod:`mirloop.model.render`; importable from here too."""

from mirloop.model.render import GroundTruth, RegionTruth, RenderResult

__all__ = ["GroundTruth", "RegionTruth", "RenderResult"]
