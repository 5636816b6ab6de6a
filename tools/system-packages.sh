#!/usr/bin/env bash
# Installs the Debian packages a group needs (runtime: Qt's shared libraries; build: also what
# PyInstaller needs; test: also the real servers the tests start on loopback). Only as root, and
# only what is missing, so a second run is instant; a non-root user gets the list to install
# instead.
set -euo pipefail

runtime=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
  libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libxrender1 fonts-dejavu-core)
# PyInstaller reads binaries with objdump and bundles the interpreter's shared library, which
# Debian's own python3 keeps in a package of its own (a pyenv build has it beside itself).
build=("${runtime[@]}" binutils)
python=$(readlink -f "$(command -v "${PYTHON:-python3}")") || true
interpreter=$(dpkg-query -S "$python" 2>/dev/null) || true
case "${interpreter%%:*}" in python3.*-minimal) build+=("lib${interpreter%%-minimal:*}") ;; esac
# desktop-file-utils and appstream check the .desktop and metainfo files the tests install.
test=("${build[@]}" gnome-keyring dbus-x11 libsecret-tools dovecot-imapd dovecot-lmtpd postfix
  isync postgresql openssl desktop-file-utils appstream dnsmasq-base)

case "${1:-}" in
  runtime) wanted=("${runtime[@]}") ;;
  build) wanted=("${build[@]}") ;;
  test) wanted=("${test[@]}") ;;
  *) echo "usage: $0 runtime|build|test" >&2; exit 2 ;;
esac

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Ubuntu 24.04 renamed some libraries with a t64 suffix (libglib2.0-0t64); apt-get installs the
# new name when asked for the old one, so either name counts as installed.
missing=()
for package in "${wanted[@]}"; do
  installed "$package" || installed "${package}t64" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Please install these packages first (as root): apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix asks which mail setup to write at install; "No configuration" writes none and starts
# nothing, so the tests' private instance (its own main.cf under a temporary folder) is the only one.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
