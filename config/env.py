"""The one place where settings are read from the environment.

Every setting that comes from outside the code is read here, so that a missing required value fails
at start-up with its name, never later in a request.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class MissingSettingError(RuntimeError):
    """A required environment variable is not set."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise MissingSettingError(f"The environment variable {name} is required and is not set.")
    return value


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise MissingSettingError(f"The environment variable {name} must be a whole number, not {raw!r}.") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
