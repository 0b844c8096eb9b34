#!/usr/bin/env bash
# The browser of the console's tests: Debian's Chromium, installed from the Debian packages
# when it is missing. Quick when it is there; never downloads a browser build of its own.
# The noxfile runs it before the test sessions when CI=true; by hand: `bash scripts/ci_chromium.sh`.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci_chromium: no apt-get here; install Chromium with the system's package manager" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium
