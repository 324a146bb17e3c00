"""Settings for the test suite (SQLite by default, PostgreSQL with GRIDWORK_DB=postgresql)."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_BACKEND = "gridwork.accounts.sms.MemorySmsBackend"
# The second factor is off for the suite (pages are tested with the password alone); its own tests turn it on.
GRIDWORK_STAFF_2FA = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so that threads in concurrency tests share one database.
    # Per process, so that two test runs on one machine never delete each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# Tasks go to the database backend of base.py, as in production, not to the ImmediateBackend: an enqueued task is a
# row in the test database, written (or rolled back) with the test's transaction, and nothing runs it unless the test
# does (`manage.py db_worker --batch`, or the task's `.call()`). The ImmediateBackend would run each task inside the
# transaction that enqueues it, which production never does, and would hide a task enqueued in a rolled-back one.

# Test cases that commit are emptied with `flush` after each test; only here may it lift the audit triggers.
AUDIT_LOG_FLUSHABLE = True

# The API's per-user rate limit stays on (its 429 is tested), but high enough for the Schemathesis run's bursts.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "100000/minute"}}  # noqa: F405
