"""Builders of development sets kept apart from the library (audio is never committed)."""
