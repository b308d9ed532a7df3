"""Exceptions that the CLI turns into one-line messages (never a traceback)."""


class GanleakError(Exception):
    """A runtime failure the user can act on (missing data, unwritable folder): exit code 1."""


class DataError(GanleakError):
    """A dataset file is missing, corrupt or cannot be downloaded."""


class ConfigError(ValueError):
    """A setting that is inconsistent with the loaded data: ``'<field>: message'``, exit code 2."""


class RunInterrupted(GanleakError):
    """The run stopped at a round boundary when asked (Ctrl-C), its checkpoint saved."""

    def __init__(self, round_no: int, out: str):
        super().__init__(f"interrupted after round {round_no}")
        self.round_no, self.out = round_no, out
