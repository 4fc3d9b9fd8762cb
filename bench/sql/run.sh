#!/usr/bin/env bash
# bench/sql/run.sh: forge sql against SQLite (Microsoft.Data.Sqlite, in the same process) and the
# sqlite3 shell, on the workloads of issue #5. Prints a Markdown table of seconds and forge/sqlite.
# Environment: ROWS (1000000), LOOKUPS (100000), JOIN_ROWS (100000), ROUNDS (3), REPEAT (5: runs of
# each read-only query per round), ONLY (forge|sqlite).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if ! command -v sqlite3 >/dev/null && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlite3 >/dev/null
fi
dotnet build "$here/SqlBench/SqlBench.csproj" -c Release -nologo -v q >&2
args=(--rows "${ROWS:-1000000}" --lookups "${LOOKUPS:-100000}" --join-rows "${JOIN_ROWS:-100000}" --rounds "${ROUNDS:-3}" --repeat "${REPEAT:-5}")
[ -n "${ONLY:-}" ] && args+=(--only "$ONLY")
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, sqlite3 $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)" >&2
exec dotnet "$root/artifacts/bin/SqlBench/release/SqlBench.dll" "${args[@]}"
