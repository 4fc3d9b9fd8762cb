#!/usr/bin/env bash
# The one test command: installs what the tests need, restores, builds, runs every test project,
# and ends with the line `N passed, M failed[, K skipped]`. Exits non-zero when anything failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# Debian packages that landed tests use (peers and tools they start). Installed only when missing.
# The tunnel's tests need none: their peers are HttpClient, ClientWebSocket and an in-process
# Kestrel app. Systems add theirs here as they land (redis-server, sqlite3, tcpdump, runc, ...).
# cache: the real redis-server (differential tests) and redis-cli (integration tests).
apt_packages=(redis-server redis-tools)
# sql: the real sqlite3 (differential tests of functions, file format and SQL).
apt_packages+=(sqlite3)
# sniff: the real tcpdump and tshark (differential tests of decoding and of written capture files).
apt_packages+=(tcpdump tshark)
# ctr: busybox-static (the tests' images), runc and crun (bench/ctr's peers), podman (loads what
# `forge ctr save` writes, and writes archives forge loads).
apt_packages+=(busybox-static runc crun podman)

missing=()
for pkg in ${apt_packages[@]+"${apt_packages[@]}"}; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "test.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
      || { echo "test.sh: apt-get install ${missing[*]} failed"; echo "0 passed, 1 failed"; exit 1; }
  else
    echo "test.sh: missing Debian packages ${missing[*]} and not root to install them" >&2
  fi
fi

config=Release
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! dotnet build Forge.slnx -c "$config" -nologo -v minimal -clp:ErrorsOnly; then
  echo "test.sh: build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# The tests start hundreds of forge processes and SIGKILL many of them on purpose; each .NET
# process creates its diagnostic IPC files (clr-debug-pipe-*, dotnet-diagnostic-*) in /tmp and
# only a clean exit removes them: ~290 were left behind per run. Nothing here attaches a debugger.
export DOTNET_EnableDiagnostics=0

# Test projects run one after another: their integration tests start servers and peers, and on a
# 2-core machine running them side by side only makes them compete for CPU and time out.
passed=0; failed=0; skipped=0
for proj in tests/*.Tests/*.Tests.csproj; do
  name="$(basename "$proj" .csproj)"
  echo "== $name" >&2
  dotnet test "$proj" -c "$config" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" 2>&1 | grep -vE '^\s*$' | tee "$results/$name.log" || true
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "test.sh: $name produced no results (the test host crashed or found no tests?)"
    failed=$((failed + 1))
    continue
  fi
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done

# CI keeps only the end of what this prints: repeat each failed test and its message here, just
# above the summary line, so the tail alone says what failed.
if [ "$failed" -gt 0 ]; then
  echo "== failed tests"
  for log in "$results"/*.log; do
    grep -A 14 -E '^\s*Failed [A-Za-z_]' "$log" | cut -c1-400 | head -n 80 || true
  done
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
