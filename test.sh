#!/usr/bin/env bash
# Granary's one test command: installs what the tests need when it is missing, builds everything and
# runs every test. The last line it prints is "N passed, N failed", counted from the test results.
set -uo pipefail
cd "$(dirname "$0")"

# The .NET SDK is the one thing this script does not install (it is not a Debian package).
if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is missing; install it from https://dotnet.microsoft.com/download and run ./test.sh again." >&2
  echo "0 passed, 0 failed"
  exit 1
fi

# Debian packages the tests use, installed when missing (apt-get as root, or through sudo).
# python3: the Python workers run Debian's /usr/bin/python3 (Granary:Python:Interpreter), so the package is checked
# rather than any python3 on PATH (a pyenv or venv python3 does not provide /usr/bin/python3).
# python3-pip: Python functions' requirements are installed with Debian's python3 -m pip (Granary:Pip).
# bubblewrap: every Python worker runs in a bubblewrap sandbox (Granary:Python:Isolation=sandbox).
# redis-server, postgresql, mariadb-server: the cluster tests and the gateway's compatibility suite start their own
# servers from these packages on free loopback ports (PostgreSQL's programs are under /usr/lib/postgresql/<version>/bin, not on PATH).
packages=(python3 python3-pip bubblewrap redis-server postgresql mariadb-server)
# prometheus: the metrics tests run a real Prometheus server and its promtool against a silo and a gateway.
# Commands the tests run, as command:package. They are looked up with command -v, so one installed another way
# (Node.js from NodeSource or nvm) counts; the Debian package is installed only when the command is missing.
commands=(node:nodejs npm:npm prometheus:prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
for c in "${commands[@]}"; do
  command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" || {
    echo "test.sh: could not install ${missing[*]}; install them with: apt-get install -y ${missing[*]}" >&2
  }
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test Orleans.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The Microsoft Testing Platform ends with a summary ("total: …", "failed: …", "succeeded: …").
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
# Failing tests again, next to the summary, so a log cut to its end still names them.
if [ "${failed:-0}" -gt 0 ]; then
  echo "Failed tests:"
  grep -E '^\s*failed [A-Za-z_].* \([0-9].*\)$' "$log" | sed 's/^\s*/  /' || true
fi
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
  echo "test.sh: dotnet test exited with $status (a build error or a crashed test host); see above." >&2
fi
exit "$status"
