#!/usr/bin/env bash
# Installs the system packages the test suite needs, and only those that are missing:
#   chromium          the browser tests drive Debian's /usr/bin/chromium (Playwright cannot download one here)
#   postgresql        scripts/with-postgres.sh starts a throwaway server from /usr/lib/postgresql/*/bin
#   fonts-wqy-microhei  a CJK font, so that Chinese renders in the browser tests' screenshots
#                     (1.6 MB to download, against 56 MB for fonts-noto-cjk)
# Idempotent: when everything is there it only looks, and takes a fraction of a second.
# Run by `make test`; as root it installs with apt, otherwise it says what to install and fails.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
FONT_PACKAGE=fonts-wqy-microhei

say() { printf 'system-deps: %s\n' "$*" >&2; }

have_chromium() { [[ -x "$CHROMIUM" ]]; }

have_postgres_server() {
    # The server binaries, not just the client: Debian puts them in /usr/lib/postgresql/<version>/bin.
    local initdb
    for initdb in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x "$initdb" ]] && return 0
    done
    # Elsewhere (a source build, another distribution), pg_config knows where the server lives.
    command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]
}

have_cjk_font() {
    # Any font that covers Chinese will do, not only ours; fc-list comes with the font stack Chromium uses.
    if command -v fc-list >/dev/null 2>&1; then
        [[ -n "$(fc-list :lang=zh family)" ]]
    else
        # shellcheck disable=SC2016  # ${Status} is dpkg-query's format field, not a shell variable
        dpkg-query -W -f='${Status}' "$FONT_PACKAGE" 2>/dev/null | grep -q 'ok installed'
    fi
}

missing=()
have_chromium || missing+=(chromium)
have_postgres_server || missing+=(postgresql)
have_cjk_font || missing+=("$FONT_PACKAGE")

if ((${#missing[@]} == 0)); then
    exit 0
fi

if [[ $EUID -ne 0 ]]; then
    say "missing: ${missing[*]}"
    say "install them as root, then run this again:"
    say "  sudo apt-get install --no-install-recommends ${missing[*]}"
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    say "missing: ${missing[*]}, and there is no apt-get here to install them with; install them by hand."
    exit 1
fi

say "installing ${missing[*]}"
# No questions (CI has no stdin); wait for the dpkg lock rather than fail if another apt run holds it.
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=300)
# The package lists of a new machine may be stale or absent: refresh them once, before the one install.
apt-get "${apt_opts[@]}" update -qq
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}"

# Check again, so that a package that installed but did not give us what we need fails here, not in a test.
have_chromium || { say "chromium installed, but $CHROMIUM is still missing"; exit 1; }
have_postgres_server || { say "postgresql installed, but no initdb under /usr/lib/postgresql/*/bin"; exit 1; }
have_cjk_font || { say "$FONT_PACKAGE installed, but fontconfig lists no Chinese font"; exit 1; }
say "done"
