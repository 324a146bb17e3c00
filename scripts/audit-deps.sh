#!/usr/bin/env bash
# Usage: scripts/audit-deps.sh
# pip-audit on the pinned requirements (requirements/*.txt are the lock files: every package pinned to one version).
# Fails on any known vulnerability. Where no vulnerability service answers (a government intranet without a PyPI or
# OSV mirror — this build machine is one), it says so plainly and, unless GRIDWORK_REQUIRE_DEP_AUDIT=1, does not fail
# the build: nothing was audited then, and the output says how many packages were not.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'audit-deps: %s\n' "$*" >&2; }

status=0
if [[ -n "${GRIDWORK_AUDIT_DEPS_REPORT:-}" ]]; then
    report=$GRIDWORK_AUDIT_DEPS_REPORT  # a pip-audit JSON report made elsewhere (and the tests' way in)
else
    report=$(mktemp)
    trap 'rm -f "$report"' EXIT
    .venv/bin/pip-audit --requirement requirements/base.txt --requirement requirements/dev.txt --no-deps \
        --disable-pip --format json --progress-spinner off --timeout 10 --output "$report" 2>/dev/null || status=$?
fi

.venv/bin/python - "$report" "$status" <<'PY'
import json
import os
import sys

path, status = sys.argv[1], int(sys.argv[2])
try:
    with open(path, encoding="utf-8") as handle:
        dependencies = json.load(handle)["dependencies"]
except (OSError, ValueError, KeyError):
    dependencies = None
required = os.environ.get("GRIDWORK_REQUIRE_DEP_AUDIT") == "1"
if dependencies is None:
    print(f"audit-deps: pip-audit gave no report (exit {status}): no vulnerability service reachable?", file=sys.stderr)
    sys.exit(1 if required else 0)
vulnerable = [(d["name"], d["version"], v["id"], v.get("fix_versions", [])) for d in dependencies for v in d.get("vulns", [])]
skipped = [d["name"] for d in dependencies if "skip_reason" in d]
for name, version, ident, fixes in vulnerable:
    print(f"audit-deps: {name} {version}: {ident} (fixed in {', '.join(fixes) or 'no release yet'})", file=sys.stderr)
audited = len(dependencies) - len(skipped)
print(f"audit-deps: {audited} of {len(dependencies)} pinned packages audited, {len(vulnerable)} known vulnerabilities", file=sys.stderr)
if skipped:
    print(
        f"audit-deps: NOT AUDITED: {len(skipped)} packages ({', '.join(skipped[:5])}{', …' if len(skipped) > 5 else ''}):"
        " the vulnerability service did not know them or could not be reached",
        file=sys.stderr,
    )
if vulnerable or (required and skipped):
    sys.exit(1)
PY
