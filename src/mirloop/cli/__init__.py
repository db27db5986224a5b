"""The ``mirloop`` command line."""
