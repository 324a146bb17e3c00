"""scripts/audit-deps.sh: a known vulnerability fails the build; packages the service could not audit are reported, and
fail it only where the audit is required (GRIDWORK_REQUIRE_DEP_AUDIT=1)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit-deps.sh"


def run(tmp_path: Path, dependencies: list[dict[str, object]], **env: str) -> subprocess.CompletedProcess[str]:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}), encoding="utf-8")
    return subprocess.run(
        ["bash", str(SCRIPT)],
        env={**os.environ, "GRIDWORK_AUDIT_DEPS_REPORT": str(report), **env},
        capture_output=True,
        text=True,
        check=False,
    )


CLEAN = {"name": "django", "version": "5.2.19", "vulns": []}
VULNERABLE = {
    "name": "django",
    "version": "5.2.19",
    "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["5.2.20"], "aliases": [], "description": ""}],
}
UNKNOWN = {"name": "segno", "version": "1.6.6", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def test_clean_report_passes(tmp_path: Path) -> None:
    done = run(tmp_path, [CLEAN])
    assert done.returncode == 0, done.stderr
    assert "1 of 1 pinned packages audited, 0 known vulnerabilities" in done.stderr


def test_a_known_vulnerability_fails_and_names_the_fix(tmp_path: Path) -> None:
    done = run(tmp_path, [VULNERABLE, CLEAN])
    assert done.returncode == 1
    assert "django 5.2.19: PYSEC-2099-1 (fixed in 5.2.20)" in done.stderr


@pytest.mark.parametrize(("required", "code"), [("0", 0), ("1", 1)])
def test_unaudited_packages_are_reported_and_fail_only_when_required(tmp_path: Path, required: str, code: int) -> None:
    done = run(tmp_path, [CLEAN, UNKNOWN], GRIDWORK_REQUIRE_DEP_AUDIT=required)
    assert done.returncode == code
    assert "NOT AUDITED: 1 packages (segno)" in done.stderr


def test_no_report_fails_only_when_required(tmp_path: Path) -> None:
    missing = {"GRIDWORK_AUDIT_DEPS_REPORT": str(tmp_path / "absent.json")}
    relaxed, strict = (
        subprocess.run(
            ["bash", str(SCRIPT)], env={**os.environ, **missing, **extra}, capture_output=True, text=True, check=False
        )
        for extra in ({}, {"GRIDWORK_REQUIRE_DEP_AUDIT": "1"})
    )
    assert (relaxed.returncode, strict.returncode) == (0, 1)
    assert "pip-audit gave no report" in strict.stderr
