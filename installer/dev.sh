#!/usr/bin/env bash
# One entry point for a fresh Debian machine with Python 3.11 and root:
#   installer/dev.sh demo    set up, then open Daishou on the bundled demo village
#   installer/dev.sh test    set up, then lint and run the whole test suite
#   installer/dev.sh bundle  set up, then build the program folder and its Windows installer script
# Set-up is idempotent: system packages only when missing, the venv only when stale.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="$root/.venv"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

# Another apt may be running (unattended-upgrades, a second set-up): wait for it rather than
# fail. apt-get waits for the dpkg lock itself with DPkg::Lock::Timeout (apt >= 1.9.11), but
# apt 2.6's `apt-get update` ignores that option for the package lists' lock (measured: it
# fails in 0.1 s), so that one is waited for here, retrying only on a lock failure.
apt_wait=600
apt_install() {
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=$apt_wait install -y -qq \
    --no-install-recommends "$@" >/dev/null
}
apt_update() {
  local deadline=$((SECONDS + apt_wait)) out
  until out=$($sudo env LC_ALL=C apt-get -o DPkg::Lock::Timeout=$apt_wait "$@" update -qq 2>&1); do
    if ! grep -q "Could not get lock" <<<"$out" || [ "$SECONDS" -ge "$deadline" ]; then
      echo "$out" >&2
      return 1
    fi
    echo "waiting for another apt to finish (the package lists are locked)..." >&2
    sleep 5
  done
  [ -z "$out" ] || echo "$out" >&2
}

# Qt needs these even headless; fonts for the PDFs; poppler for the PDF tests; Xvfb for screenshots.
system_packages=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libglib2.0-0 fonts-wqy-zenhei fonts-arphic-uming
  fonts-hanazono poppler-utils xvfb xauth sqlite3 tzdata
  openbox xdotool x11-utils imagemagick xclip  # the e2e tests: a window manager, key presses, xprop, screenshots
  chromium chromium-driver  # the county server's web pages, tested headless
  binutils  # PyInstaller on Linux (objdump, objcopy): tests/bundle builds the bundle
  nsis)  # compiles the Windows installer script (installer/daishou.nsi)

ensure_system_packages() {
  local missing=()
  for p in "${system_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing system packages: ${missing[*]}" >&2
  apt_update
  apt_install "${missing[@]}"
}

ensure_venv() {
  local stamp="$venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    python3.11 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q -e ".[dev,server]"
    rm -f "$venv"/.installed-* && touch "$stamp"
  fi
}

# PyInstaller bundles the interpreter's shared library. Debian's own python3.X links it in
# statically and ships the shared one apart (libpython3.X): installed when it is missing.
ensure_libpython() {
  "$venv/bin/python" -c '
import pathlib, sys, sysconfig
name, libdir = sysconfig.get_config_var("INSTSONAME"), sysconfig.get_config_var("LIBDIR")
sys.exit(0 if name and libdir and (pathlib.Path(libdir) / name).exists() else 1)' && return 0
  local package
  package="libpython$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  echo "installing $package (the shared Python library the bundle needs)" >&2
  apt_update
  apt_install "$package"
}

# The county server's tests run on SQLite and on PostgreSQL at 127.0.0.1:5432 (user postgres,
# trust from the loopback address only). A machine without one gets Debian's, started here.
ensure_postgres() {
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q; then
    return 0
  fi
  if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed"; then
    echo "installing PostgreSQL for the county server's tests" >&2
    apt_update
    apt_install postgresql
  fi
  local hba version
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -1)
  version=$(basename "$(dirname "$(dirname "$hba")")")
  grep -q "daishou-tests" "$hba" || $sudo sed -i '1i host all postgres 127.0.0.1/32 trust  # daishou-tests' "$hba"
  $sudo pg_ctlcluster "$version" main restart 2>/dev/null || $sudo pg_ctlcluster "$version" main start
  for _ in $(seq 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && return 0
    sleep 1
  done
  echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
  return 1
}

ensure_system_packages
ensure_venv
ensure_libpython
export PATH="$venv/bin:$PATH"
# python-escpos writes a temp folder on every import unless this is set.
export ESCPOS_CAPABILITIES_PICKLE_DIR="${ESCPOS_CAPABILITIES_PICKLE_DIR:-$root/.venv/escpos-cache}"
mkdir -p "$ESCPOS_CAPABILITIES_PICKLE_DIR"

case "${1:-}" in
  demo)
    shift
    exec python -m app.demo "$@"
    ;;
  test)
    shift
    ruff check app ui sync printing tests
    mypy
    lint-imports --no-cache  # the arrows of DESIGN.md (contracts in pyproject.toml)
    ensure_postgres
    export QT_QPA_PLATFORM=offscreen
    # Two worker processes (a CI machine has 2 cores); the longest tests are collected first
    # (tests/conftest.py) and an idle worker steals queued ones. `-n 0` runs in one process.
    exec python -m pytest -q -n "${DAISHOU_TEST_WORKERS:-2}" --dist worksteal "$@"
    ;;
  bundle)
    # The program folder a PC gets (on Windows, run there: PyInstaller does not cross-build),
    # then the installer around it when NSIS is here: dist/daishou, dist/Daishou-VERSION-setup.exe.
    shift
    python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
      installer/daishou.spec
    version=$(python -c "from importlib.metadata import version; print(version('daishou'))")
    if command -v makensis >/dev/null 2>&1; then
      makensis -V2 "-DBUNDLE=$root/dist/daishou" "-DVERSION=$version" "-DOUT=$root/dist/Daishou-$version-setup.exe" \
        installer/daishou.nsi
    fi
    ls -d dist/daishou dist/*.exe 2>/dev/null
    ;;
  bench)
    shift
    ensure_postgres
    exec python -m tests.bench "$@"
    ;;
  *)
    echo "usage: installer/dev.sh demo|test|bench|bundle" >&2
    exit 2
    ;;
esac
