"""Settings for `make run`: the embedded SQLite database and the demo city on loopback."""

from config.settings.base import *  # noqa: F403

DEBUG = True
