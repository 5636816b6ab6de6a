#!/usr/bin/env bash
# Runs every check on a machine set up by `make test`: lint, types, the layer contract in
# pyproject.toml (lint-imports), then pytest inside a private D-Bus session with an unlocked
# gnome-keyring, so keyring tests talk to a real Secret Service.
# PostgreSQL and Dovecot are started by session fixtures on loopback (tests/pg_cluster.py,
# tests/dovecot.py). Without arguments the suite runs in two steps, the quick tests first and the
# long load and build tests (`-m slow`) after them, so a failure in the quick ones shows at once;
# with arguments, pytest gets exactly those.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv/bin

"$venv/ruff" check .
"$venv/ruff" format --check .
"$venv/mypy"
"$venv/lint-imports" --no-cache

scratch=$(mktemp -d -t switchboard-tests-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/xdg" && mkdir -m 700 "$scratch/run"
export XDG_DATA_HOME="$scratch/xdg" XDG_RUNTIME_DIR="$scratch/run" QT_QPA_PLATFORM=offscreen
unset DISPLAY WAYLAND_DISPLAY

in_session() {
  dbus-run-session -- bash -c '
    printf "switchboard-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$0" -m pytest "$@"
  ' "$venv/python" "$@"
}

if [ $# -gt 0 ]; then
  in_session "$@"
else
  echo "== quick tests" && in_session -m "not slow"
  echo "== slow tests (load, concurrency, build)" && in_session -m slow
fi
