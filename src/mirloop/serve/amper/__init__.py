"""Amper's simple-render API, served by the configured renderer (``/v1/...``)."""
