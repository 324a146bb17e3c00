"""Settings for the scheduler and worker processes that the tests start: the test settings with one test job,
every minute. The database comes from GRIDWORK_SQLITE_PATH or GRIDWORK_PG_NAME, set to the test database."""

from config.settings.test import *  # noqa: F403

GRIDWORK_SCHEDULE = (("test-job", "* * * * *", "gridwork.jobs.tests.tasks.record_run"),)
