"""Pipelines: plain functions over the plugin registry (``analyze``, batch runs)."""
