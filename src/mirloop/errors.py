"""One exception root for everything mirloop raises on purpose.

Every message says what was wrong, where, and what to do about it.
"""

from __future__ import annotations


class MirloopError(Exception):
    """Root of all mirloop errors."""


class InvalidValueError(MirloopError, ValueError):
    """A value handed to mirloop is outside what it accepts (a value type's field, a function's
    argument). Also a ``ValueError``, so code that catches ``ValueError`` still catches it."""


class SpellingError(InvalidValueError):
    """A pitch, tonic or key name cannot be read."""


class ConfigError(MirloopError):
    """A configuration file, value or command-line override is invalid."""


class BackendNotFoundError(ConfigError):
    """A configured backend name is not installed for its stage."""


class BackendClashError(BackendNotFoundError):
    """A configured backend name is registered by several third-party plugins, so it is refused."""


class OptionError(ConfigError):
    """A backend option is unknown or has an invalid value."""


class PluginError(MirloopError):
    """A plugin failed to import or registered something invalid."""


class AudioError(MirloopError):
    """An audio file is missing, unreadable, empty, silent or too short."""


class TimelineError(MirloopError):
    """A render timeline is malformed (the message names the JSON path)."""


class DescriptorError(MirloopError):
    """A descriptor is unknown or invalid (the message suggests the nearest one)."""


class RhythmError(DescriptorError, ValueError):
    """A drum pattern string cannot be read (also a ``ValueError``, as it always was)."""


class ModelError(MirloopError):
    """A trained model is missing, corrupt or does not match the current set-up."""


class RenderError(MirloopError):
    """A renderer failed to produce audio for a timeline."""


class DatasetError(MirloopError):
    """A dataset folder, manifest or feature table is missing, incomplete or inconsistent."""


class OutputError(MirloopError):
    """An output name or folder is unsafe, or taken by files mirloop did not write."""


class ExecutorError(MirloopError):
    """A scheduler address is malformed or unreachable, the distributed extra is not installed, or
    a local pool is given a batch while it still runs another."""


class CorpusError(MirloopError):
    """A corpus source (folder, list file or FMA metadata) is missing or malformed."""
