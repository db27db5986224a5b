"""Annotated development sets: renders with exact key and tempo, real tracks spliced at known joins."""
