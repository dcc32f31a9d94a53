"""The one exception family. The CLI catches these, prints one line and exits 2."""


class PipelineError(Exception):
    """Base of every error a user can cause and fix."""


class DataError(PipelineError):
    """Input data that cannot be read or used (missing file, bad column, bad bytes...)."""


class ModelFormatError(PipelineError):
    """A model directory that is missing, broken, tampered with or from a newer version."""


class ConfigError(PipelineError, ValueError):
    """A setting or argument with a value that cannot work (bad n-gram range, unknown engine...)."""
