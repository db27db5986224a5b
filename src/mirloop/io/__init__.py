"""File input and output: audio loading, atomic writes, JAMS annotations and tables.

Import the submodules directly (``mirloop.io.audio``…); nothing heavy loads with this package.
"""
