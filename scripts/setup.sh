#!/usr/bin/env bash
# Prepare what both README commands need: the Debian tools the live probes call and
# the virtual environment at .venv; with --tests, what the project's own tests need too.
# Idempotent; a second run does nothing but check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Several runs may share one checkout (a fleet's hosts on one machine): one sets up at a
# time, and the others then find everything in place.
exec 9>>.setup.lock
flock 9

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$candidate"
    break
  fi
done

packages=()
[ -n "$python" ] || packages+=(python3 python3-venv)
if [ -n "$python" ] && [ ! -x .venv/bin/python ] && ! "$python" -c 'import ensurepip' 2>/dev/null; then
  packages+=(python3-venv)
fi
tools=(smartctl:smartmontools nvme:nvme-cli ethtool:ethtool lspci:pciutils)
# The burn-in's CPU, memory and disk loads.
tools+=(stress-ng:stress-ng fio:fio)
# The project's own tests also drive a real headless browser over the HTML reports, and
# run the fleet playbook over SSH against hosts made as network namespaces.
[ "${1:-}" = "--tests" ] &&
  tools+=(chromium:chromium chromedriver:chromium-driver sshd:openssh-server ip:iproute2)
for pair in "${tools[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || packages+=("${pair#*:}")
done
# They also start a real PostgreSQL server for the history database.
if [ "${1:-}" = "--tests" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  packages+=(postgresql)
fi
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libudev\.so\.1' ||
  packages+=(libudev1)

if [ "${#packages[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${packages[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
  [ -n "$python" ] || python=python3
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $python" >&2
  "$python" -m venv .venv
fi

# "compat" editable mode puts the checkout on sys.path with a plain .pth line; the default
# mode installs an import hook that costs every `hwaccept` start ~10 ms. The project's own
# tests add their packages (`.[test]`, PyTorch's CPU build among them); a station's run
# installs hwaccept alone, so a CUDA build of PyTorch it has stays the one burn-in uses.
# The stamp names what was installed; the tests' set serves a station's run too.
stamp=.venv/.hwaccept-installed
digest="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
installed="$(cat "$stamp" 2>/dev/null || true)"
if [ "${1:-}" = "--tests" ]; then
  target='.[test]' wanted="$digest test"
  satisfied=$([ "$installed" = "$wanted" ] && echo yes || echo no)
else
  target='.' wanted="$digest"
  satisfied=$([ "$installed" = "$wanted" ] || [ "$installed" = "$digest test" ] && echo yes || echo no)
fi
if [ "$satisfied" != yes ]; then
  echo "setup: installing hwaccept and its dependencies into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --config-settings editable_mode=compat -e "$target"
  echo "$wanted" > "$stamp"
fi

# Byte-compile the checkout: with PYTHONDONTWRITEBYTECODE set (or a read-only checkout)
# every run would otherwise recompile each module from source.
.venv/bin/python -m compileall -q hwaccept plugins hwtests >/dev/null
