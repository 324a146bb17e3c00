"""Checks of the test infrastructure itself: CI's entry point and the throwaway PostgreSQL server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CI_RUN = ROOT / ".ci" / "run"
SYSTEM_DEPS = ROOT / "scripts" / "system-deps.sh"
WITH_POSTGRES = ROOT / "scripts" / "with-postgres.sh"
SCRIPTS = [CI_RUN, SYSTEM_DEPS, WITH_POSTGRES]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_is_executable_strict_bash(script: Path) -> None:
    assert os.access(script, os.X_OK), f"{script} is not executable (git tracks the bit: chmod +x, then git add)"
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_ci_runs_make_test_with_ci_set() -> None:
    text = CI_RUN.read_text()
    assert re.search(r"^export CI=true$", text, re.MULTILINE)
    # CI must run exactly what a developer runs: the whole of `make test`, not a part of it.
    commands = [line.strip() for line in text.splitlines() if re.match(r"^\s*(exec\s+)?make\b", line)]
    assert commands == ["make test"]


def test_make_test_sets_up_and_runs_both_databases() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "no test target in the Makefile"
    assert "scripts/system-deps.sh" in recipe.group(1)
    assert "test-postgres" in recipe.group(1)
    assert "scripts/with-postgres.sh" in makefile


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_asked_for() -> None:
    # `make test-postgres` sets GRIDWORK_DB=postgresql through scripts/with-postgres.sh: prove it took.
    expected = "postgresql" if os.environ.get("GRIDWORK_DB") == "postgresql" else "sqlite"
    assert connection.vendor == expected


def test_with_postgres_fails_clearly_without_server_binaries(tmp_path: Path) -> None:
    env = {**os.environ, "GRIDWORK_PG_BINDIR": str(tmp_path)}
    result = subprocess.run(
        [str(WITH_POSTGRES), "true"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "no PostgreSQL server binaries" in result.stderr
    assert "system-deps.sh" in result.stderr


@pytest.mark.slow
def test_with_postgres_serves_cmd_then_cleans_up_and_passes_its_exit_code(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    # The child connects over TCP as the application would, and reports what it found.
    child = textwrap.dedent(
        """
        import os, sys, psycopg
        env = os.environ
        params = {"host": env["GRIDWORK_PG_HOST"], "port": env["GRIDWORK_PG_PORT"], "dbname": env["GRIDWORK_PG_NAME"]}
        with psycopg.connect(user=env["GRIDWORK_PG_USER"], password=env["GRIDWORK_PG_PASSWORD"], **params) as conn:
            row = conn.execute("select current_user, host(inet_server_addr()), current_setting('fsync')").fetchone()
        with open(sys.argv[1], "w") as report:
            report.write("\\n".join([*row, env["GRIDWORK_DB"]]))
        sys.exit(7)
        """
    )
    result = subprocess.run(
        [str(WITH_POSTGRES), sys.executable, "-c", child, str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    if "no PostgreSQL server binaries" in result.stderr and os.environ.get("CI", "").lower() != "true":
        pytest.skip("no PostgreSQL server binaries here (scripts/system-deps.sh installs them)")
    assert result.returncode == 7, result.stderr
    assert report.read_text().splitlines() == ["gridwork", "127.0.0.1", "off", "postgresql"]
    # The throwaway cluster is gone, and so is the server that ran on it.
    workdir = re.search(r"^with-postgres: PostgreSQL .* in (/\S+)$", result.stderr, re.MULTILINE)
    assert workdir, result.stderr
    data_directory = workdir.group(1)
    assert not Path(data_directory).exists()
    if shutil.which("pgrep"):
        running = subprocess.run(["pgrep", "-f", data_directory], capture_output=True, check=False)
        assert running.returncode == 1, running.stdout
