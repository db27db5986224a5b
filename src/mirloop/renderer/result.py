"""The render result types, which live in :mod:`mirloop.types.render`; importable from here too."""

from mirloop.types.render import GroundTruth, RegionTruth, RenderResult

__all__ = ["GroundTruth", "RegionTruth", "RenderResult"]
