#!/usr/bin/env bash
# Install the Debian packages a make target needs, before any pip work.
#   [PYTHON=python3] scripts/system-packages.sh bubblewrap [chromium postgresql]
# Already installed packages are skipped. As root, or with sudo that asks no password, it runs
# `apt-get update` and `apt-get install -y`; otherwise it stops with the one command to run.
set -euo pipefail

installed() {  # the package, or the program it brings, is already here
    case "$1" in
        bubblewrap) command -v bwrap >/dev/null 2>&1 && return 0 ;;
        chromium) command -v chromium >/dev/null 2>&1 && return 0 ;;
        nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
        npm) command -v npm >/dev/null 2>&1 && return 0 ;;
        postgresql) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0 ;;
    esac
    dpkg -s "$1" >/dev/null 2>&1
}

# Debian's own python3 makes virtual environments only with python3-venv.
if ! "${PYTHON:-python3}" -c "import ensurepip" >/dev/null 2>&1; then
    set -- "$@" python3-venv
fi

missing=()
for pkg in "$@"; do
    installed "$pkg" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "missing system packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing system packages (${missing[*]}) and no apt-get here: install them with your system's package manager" >&2
    exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}"
