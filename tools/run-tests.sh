#!/usr/bin/env bash
# Runs every check on a machine set up by `make test`: lint, types, then pytest inside a private
# D-Bus session with an unlocked gnome-keyring, so keyring tests talk to a real Secret Service.
# PostgreSQL and Dovecot are started by session fixtures on loopback (see tests/services/).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv/bin

"$venv/ruff" check .
"$venv/ruff" format --check .
"$venv/mypy"

scratch=$(mktemp -d -t switchboard-tests-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/xdg" && mkdir -m 700 "$scratch/run"
export XDG_DATA_HOME="$scratch/xdg" XDG_RUNTIME_DIR="$scratch/run" QT_QPA_PLATFORM=offscreen
unset DISPLAY WAYLAND_DISPLAY

dbus-run-session -- bash -c '
  printf "switchboard-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$0" -m pytest "$@"
' "$venv/python" "$@"
