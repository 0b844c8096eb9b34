#!/usr/bin/env bash
# The servers and programs the test suite runs, installed from Debian's packages when missing.
#
#   scripts/ci_services.sh            install what is missing (as root, or through sudo)
#   scripts/ci_services.sh --check    only say what is missing (exit 1 if anything is)
#
# One function per package: each checks first, so a machine that has everything is done in
# milliseconds, and running it again changes nothing. The tests start their own throwaway
# servers from these binaries (tests/servers.py), on loopback only; nothing here starts one.
set -euo pipefail

CHECK_ONLY=0
[ "${1:-}" = "--check" ] && CHECK_ONLY=1
MISSING=()

have_postgresql() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; }
have_redis_server() { command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ]; }

# PostgreSQL's server binaries (initdb, pg_ctl): PostgresStore's tests and procrastinate's jobs.
postgresql() { have_postgresql || MISSING+=(postgresql); }

# Redis: the Celery broker of the job tests.
redis_server() { have_redis_server || MISSING+=(redis-server); }

install_missing() {
    [ ${#MISSING[@]} -eq 0 ] && return 0
    if [ "$CHECK_ONLY" = 1 ]; then
        echo "missing Debian packages: ${MISSING[*]} (apt-get install -y ${MISSING[*]})" >&2
        return 1
    fi
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing: ${MISSING[*]}" >&2
    # A package's install script must not start its service: the tests start their own.
    export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${MISSING[@]}" >/dev/null
}

postgresql
redis_server
install_missing
