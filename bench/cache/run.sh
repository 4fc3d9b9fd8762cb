#!/usr/bin/env bash
# bench/cache/run.sh: compare `forge cache` with redis-server 7 and Microsoft Garnet on loopback.
#
# Three servers, each started here on a free 127.0.0.1 port with persistence off:
#   forge   $ROOT/forge cache --save '' --appendonly no
#   redis   redis-server --save '' --appendonly no (Debian's 7.x)
#   garnet  garnet-server (the dotnet tool, installed into a cache dir on first use)
#
# Throughput: redis-benchmark -t TEST -n N -c CLIENTS -P PIPE --csv, one run per test, for
# PIPE = 1 and 16. Every (test, server) pair runs ROUNDS times; inside a round the servers run one
# after the other and their order rotates from test to test and round to round, so machine noise
# hits all of them evenly. Each server is flushed at the start of every round, and sees the same
# sequence of tests, so all start each test from the same state. Each cell is the median req/s.
#
# Memory: on the freshly started servers, VmRSS (/proc/PID/status) before and after loading
# MEM_KEYS small keys ("key:N" -> "value:N", the same redis-cli --pipe stream for every server).
#
# Everything the script starts is killed, and its temp dir removed, on exit, failure or Ctrl-C.
# Environment variables: see README.md beside this file, or the defaults just below.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${FORGE_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}"
ROOT="$(cd "$ROOT" && pwd)"
FORGE="$ROOT/forge"

# The command line as given (before defaults are filled in), for the report.
CMDLINE="$(for v in FORGE_ROOT N ROUNDS CLIENTS PIPELINES TESTS MEM_KEYS ONLY BENCH_THREADS GARNET_DIR GARNET_VERSION GARNET_ARGS RUN_TIMEOUT; do
  if [ -n "${!v+x}" ]; then
    if [[ "${!v}" =~ ^[A-Za-z0-9_./,:-]*$ ]]; then printf '%s=%s ' "$v" "${!v}"; else printf '%s=%q ' "$v" "${!v}"; fi
  fi; done; printf '%s' "$0"; for a in "$@"; do printf ' %q' "$a"; done)"

N="${N:-1000000}"                     # requests per redis-benchmark run
ROUNDS="${ROUNDS:-3}"                 # measured rounds (median is reported)
CLIENTS="${CLIENTS:-50}"              # redis-benchmark -c
PIPELINES="${PIPELINES:-1 16}"        # redis-benchmark -P values, one table each
TESTS="${TESTS:-set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset}"
MEM_KEYS="${MEM_KEYS:-1000000}"       # keys loaded for the memory table (0 skips it)
ONLY="${ONLY:-forge,redis,garnet}"    # servers to run (comma list)
BENCH_THREADS="${BENCH_THREADS:-0}"   # >0: redis-benchmark --threads (multi-threaded client)
RUN_TIMEOUT="${RUN_TIMEOUT:-600}"     # seconds: cap on one redis-benchmark run
INSTALL="${INSTALL:-1}"               # 1: apt-get install missing Debian packages when root
KEEP_TMP="${KEEP_TMP:-0}"             # 1: keep the temp dir (logs) for inspection
GARNET_DIR="${GARNET_DIR:-$ROOT/artifacts/bench-tools/garnet}"  # dotnet tool path for garnet-server
GARNET_VERSION="${GARNET_VERSION:-}"  # empty: the newest garnet-server; else that version
GARNET_ARGS="${GARNET_ARGS:-}"        # extra garnet-server arguments (word-split)

T0=$(date +%s)
log() { printf '[%4ds] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }

# ---------------------------------------------------------------------------------------------
# Cleanup: kill exactly the processes this script started.
TMP=""
PIDS=()          # servers, in start order
declare -A PNAME # pid -> name, for messages
JOB_PIDS=()      # the in-flight measurement job (redis-benchmark, redis-cli)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local p i
  for p in "${JOB_PIDS[@]}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do kill "${PIDS[i]}" 2>/dev/null || true; done
  local deadline=$(( $(date +%s) + 10 ))
  for p in "${PIDS[@]}"; do
    while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "$KEEP_TMP" = 1 ]; then
      log "kept $TMP"
    else
      if [ "$rc" != 0 ] && [ "$rc" != 130 ] && [ "$rc" != 143 ]; then
        for f in "$TMP"/*.log; do
          [ -s "$f" ] || continue
          echo "---- tail of $(basename "$f")" >&2; tail -n 15 "$f" >&2
        done
      fi
      rm -rf "$TMP"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Tools
need_pkgs=()
command -v redis-benchmark >/dev/null || need_pkgs+=(redis-tools)
command -v redis-cli >/dev/null || need_pkgs+=(redis-tools)
command -v python3 >/dev/null || need_pkgs+=(python3)
REDIS_SERVER="$(command -v redis-server || true)"; [ -n "$REDIS_SERVER" ] || REDIS_SERVER=/usr/bin/redis-server
if want redis && [ ! -x "$REDIS_SERVER" ]; then need_pkgs+=(redis-server); fi
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  mapfile -t need_pkgs < <(printf '%s\n' "${need_pkgs[@]}" | sort -u)
  if [ "$INSTALL" = 1 ] && [ "$(id -u)" = 0 ]; then
    log "installing: ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
    REDIS_SERVER="$(command -v redis-server || echo /usr/bin/redis-server)"
  else
    die "missing tools (${need_pkgs[*]}); install them or run as root with INSTALL=1"
  fi
fi

GARNET=""
if want garnet; then
  GARNET="$GARNET_DIR/garnet-server"
  if [ ! -x "$GARNET" ]; then
    command -v dotnet >/dev/null || die "garnet needs the dotnet SDK (or run with ONLY=forge,redis)"
    mkdir -p "$GARNET_DIR"
    log "installing garnet-server${GARNET_VERSION:+ $GARNET_VERSION} into $GARNET_DIR (dotnet tool)"
    ver=(); [ -n "$GARNET_VERSION" ] && ver=(--version "$GARNET_VERSION")
    dotnet tool install --tool-path "$GARNET_DIR" garnet-server ${ver[@]+"${ver[@]}"} >&2 ||
      die "dotnet tool install garnet-server failed"
  fi
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_for SECONDS DESCRIPTION PID COMMAND...: poll COMMAND until it succeeds; fail early if PID dies
wait_for() {
  local secs=$1 what=$2 pid=$3; shift 3
  local deadline=$(( $(date +%s) + secs ))
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || die "$what: process $pid exited"
    [ "$(date +%s)" -lt "$deadline" ] || die "$what: not ready after ${secs}s"
    sleep 0.2
  done
}

pong() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

TMP="$(mktemp -d /tmp/forge-cache-bench.XXXXXX)"

# ---------------------------------------------------------------------------------------------
# Servers
declare -A PORT SPID
SERVERS=()

if want forge; then
  log "building forge ($ROOT)"
  FORGE_VERSION="$("$FORGE" --version 2>"$TMP/forge-build.log" | head -n 1)" || die "forge build failed"
  "$FORGE" cache --help >/dev/null 2>&1 || die "'$FORGE cache' is not available in $ROOT (run with ONLY=redis,garnet to skip forge)"
  PORT[forge]=$(free_port)
  (cd "$TMP" && exec "$FORGE" cache --port "${PORT[forge]}" --bind 127.0.0.1 --save '' --appendonly no) >"$TMP/forge.log" 2>&1 &
  SPID[forge]=$!; PIDS+=("${SPID[forge]}"); PNAME[${SPID[forge]}]="forge cache"
  wait_for 120 "forge cache" "${SPID[forge]}" pong "${PORT[forge]}"
  SERVERS+=(forge)
  log "forge cache on 127.0.0.1:${PORT[forge]} (pid ${SPID[forge]})"
fi

if want redis; then
  PORT[redis]=$(free_port)
  (cd "$TMP" && exec "$REDIS_SERVER" --port "${PORT[redis]}" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize no --dir "$TMP" --logfile '') >"$TMP/redis.log" 2>&1 &
  SPID[redis]=$!; PIDS+=("${SPID[redis]}"); PNAME[${SPID[redis]}]=redis-server
  wait_for 30 redis-server "${SPID[redis]}" pong "${PORT[redis]}"
  SERVERS+=(redis)
  log "redis-server on 127.0.0.1:${PORT[redis]} (pid ${SPID[redis]})"
fi

if want garnet; then
  PORT[garnet]=$(free_port)
  # shellcheck disable=SC2086 # GARNET_ARGS is a word list on purpose
  (cd "$TMP" && exec "$GARNET" --port "${PORT[garnet]}" --bind 127.0.0.1 $GARNET_ARGS) >"$TMP/garnet.log" 2>&1 &
  SPID[garnet]=$!; PIDS+=("${SPID[garnet]}"); PNAME[${SPID[garnet]}]=garnet-server
  wait_for 120 garnet-server "${SPID[garnet]}" pong "${PORT[garnet]}"
  SERVERS+=(garnet)
  log "garnet-server on 127.0.0.1:${PORT[garnet]} (pid ${SPID[garnet]})"
fi

[ "${#SERVERS[@]}" -gt 0 ] || die "ONLY=$ONLY selects no server"

# Measurement commands run as background jobs that the script `wait`s for: a trapped signal
# (Ctrl-C, TERM) interrupts `wait` at once, so the EXIT trap can stop everything.
job() { # INFILE OUTFILE CMD...: run CMD with stdin from INFILE, stdout+stderr to OUTFILE; its exit code
  # (stdin must be redirected on the background command itself: bash gives it /dev/null otherwise)
  local in=$1 out=$2; shift 2
  "$@" <"$in" >"$out" 2>&1 &
  local p=$! rc=0
  JOB_PIDS=("$p")
  wait "$p" || rc=$?
  JOB_PIDS=()
  return "$rc"
}

alive_or_die() {
  local p
  for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || die "${PNAME[$p]:-process} (pid $p) has exited"; done
}

rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

declare -A NOTE
add_note() { NOTE[$1]="${NOTE[$1]:-}$2; "; }

# ---------------------------------------------------------------------------------------------
# Memory: the same stream of MEM_KEYS SETs for every server, on fresh servers.
declare -A MEM_IDLE MEM_LOADED MEM_KEYS_SEEN
if [ "$MEM_KEYS" -gt 0 ]; then
  log "memory: generating $MEM_KEYS SETs (key:N -> value:N)"
  awk -v n="$MEM_KEYS" 'BEGIN{ for (i=0;i<n;i++) { k="key:" i; v="value:" i;
    printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v } }' >"$TMP/load.resp"
  for s in "${SERVERS[@]}"; do
    alive_or_die
    redis-cli -h 127.0.0.1 -p "${PORT[$s]}" flushall >/dev/null 2>&1 || true
    sleep 1
    MEM_IDLE[$s]=$(rss_kib "${SPID[$s]}")
    job "$TMP/load.resp" "$TMP/load-$s.out" timeout "$RUN_TIMEOUT" redis-cli -h 127.0.0.1 -p "${PORT[$s]}" --pipe ||
      add_note "$s" "redis-cli --pipe failed: $(tail -n 1 "$TMP/load-$s.out")"
    sleep 2   # let lazy work (GC, rehashing) settle before reading RSS
    MEM_LOADED[$s]=$(rss_kib "${SPID[$s]}")
    MEM_KEYS_SEEN[$s]=$(redis-cli -h 127.0.0.1 -p "${PORT[$s]}" dbsize 2>/dev/null || echo '?')
    [ "${MEM_KEYS_SEEN[$s]}" = "$MEM_KEYS" ] || add_note "$s" "DBSIZE after the load is ${MEM_KEYS_SEEN[$s]}, not $MEM_KEYS"
    log "  $s: RSS $(( MEM_IDLE[$s] / 1024 )) MiB idle, $(( MEM_LOADED[$s] / 1024 )) MiB with ${MEM_KEYS_SEEN[$s]} keys"
    redis-cli -h 127.0.0.1 -p "${PORT[$s]}" flushall >/dev/null 2>&1 || true
  done
  rm -f "$TMP/load.resp"
fi

# ---------------------------------------------------------------------------------------------
# Throughput
IFS=',' read -r -a TEST_LIST <<<"$TESTS"
declare -A RES   # RES[pipe,test,server] = space-separated req/s over rounds

# redis-benchmark's CSV name for each -t test
csv_name() {
  case $1 in
    lrange_100) echo "LRANGE_100 (first 100 elements)";;
    lrange_300) echo "LRANGE_300 (first 300 elements)";;
    lrange_500) echo "LRANGE_500 (first 500 elements)";;
    lrange_600) echo "LRANGE_600 (first 600 elements)";;
    mset) echo "MSET (10 keys)";;
    ping) echo "PING_INLINE";;
    *) echo "$1" | tr '[:lower:]' '[:upper:]';;
  esac
}

order_for() { # index: the servers rotated by index
  local k=$1 n=${#SERVERS[@]} i
  for (( i=0; i<n; i++ )); do echo "${SERVERS[(i+k)%n]}"; done
}

threads_opt=(); [ "$BENCH_THREADS" -gt 0 ] && threads_opt=(--threads "$BENCH_THREADS")

run_bench() { # pipe test server round
  local p=$1 t=$2 s=$3 r=$4 out="$TMP/bench-$1-$2-$3-$4.csv" rc=0 name rps
  alive_or_die
  job /dev/null "$out" timeout "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "${PORT[$s]}" -t "$t" -n "$N" -c "$CLIENTS" -P "$p" \
    ${threads_opt[@]+"${threads_opt[@]}"} --csv || rc=$?
  name=$(csv_name "$t")
  rps=$(awk -F, -v n="\"$name\"" '$1==n { gsub(/"/, "", $2); print $2; exit }' "$out")
  # redis-benchmark 7 stops at the first error reply ("Error from server: ..."): such a run must not score.
  errline=$(tr -d '\r' <"$out" | grep -m1 -i 'error' || true)
  if [ -n "$rps" ] && [ "$rc" = 0 ] && [ -z "$errline" ]; then
    RES[$p,$t,$s]="${RES[$p,$t,$s]:-} $rps"
  else
    add_note "$s" "-P $p $t round $r: no result (rc $rc${errline:+: $errline})"
    rps=""
  fi
  log "  -P $p $t $s round $r: ${rps:-failed}"
}

for p in $PIPELINES; do
  log "throughput: redis-benchmark -n $N -c $CLIENTS -P $p, $ROUNDS rounds, tests $TESTS"
  for (( r=1; r<=ROUNDS; r++ )); do
    for s in "${SERVERS[@]}"; do redis-cli -h 127.0.0.1 -p "${PORT[$s]}" flushall >/dev/null 2>&1 || true; done
    for ti in "${!TEST_LIST[@]}"; do
      for s in $(order_for $(( r + ti ))); do run_bench "$p" "${TEST_LIST[ti]}" "$s" "$r"; done
    done
  done
done

# ---------------------------------------------------------------------------------------------
# Report
median() { tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g | awk '{v[NR]=$1} END{ if (NR==0) print "n/a";
  else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
fmt_rps() { [ "$1" = n/a ] && echo n/a || awk -v v="$1" 'BEGIN{printf "%.0f", v}'; }
ratio() { # a b: a/b with 2 decimals, n/a when either is missing
  if [ "$1" = n/a ] || [ "$2" = n/a ] || [ -z "$1" ] || [ -z "$2" ]; then echo n/a; return; fi
  awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }'
}
mib() { [ -z "$1" ] && echo n/a || awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }

ELAPSED=$(( $(date +%s) - T0 ))
{
  echo
  echo "## forge cache benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: nproc=$(nproc), kernel $(uname -srm), $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  echo "- command: $CMDLINE"
  echo "- forge: ${FORGE_VERSION:-not run} ($ROOT); $("$REDIS_SERVER" --version 2>/dev/null | awk '{print "redis", $3}'); garnet-server $([ -n "$GARNET" ] && ls "$GARNET_DIR/.store/garnet-server" 2>/dev/null | head -n 1 || echo 'not run'); $(redis-benchmark --version 2>/dev/null | awk '{print "redis-benchmark", $2}')"
  echo "- redis-benchmark -n $N -c $CLIENTS$([ "$BENCH_THREADS" -gt 0 ] && echo " --threads $BENCH_THREADS"), one run per test; each cell: median req/s of $ROUNDS rounds (servers interleaved, order rotated); run took ${ELAPSED}s"
  for p in $PIPELINES; do
    echo
    echo "### -P $p"
    echo
    echo "| workload | forge | redis | forge/redis | garnet | forge/garnet |"
    echo "|---|---:|---:|---:|---:|---:|"
    for t in "${TEST_LIST[@]}"; do
      f=$(median "${RES[$p,$t,forge]:-}"); rd=$(median "${RES[$p,$t,redis]:-}"); g=$(median "${RES[$p,$t,garnet]:-}")
      echo "| $t | $(fmt_rps "$f") | $(fmt_rps "$rd") | $(ratio "$f" "$rd") | $(fmt_rps "$g") | $(ratio "$f" "$g") |"
    done
  done
  if [ "$MEM_KEYS" -gt 0 ]; then
    echo
    echo "### Memory: VmRSS with $MEM_KEYS keys (key:N -> value:N, loaded with redis-cli --pipe)"
    echo
    echo "| measure (MiB) | forge | redis | forge/redis | garnet | forge/garnet |"
    echo "|---|---:|---:|---:|---:|---:|"
    for m in idle loaded growth; do
      declare -A V=()
      for s in forge redis garnet; do
        case $m in
          idle) V[$s]="${MEM_IDLE[$s]:-}";;
          loaded) V[$s]="${MEM_LOADED[$s]:-}";;
          growth) if [ -n "${MEM_LOADED[$s]:-}" ]; then V[$s]=$(( MEM_LOADED[$s] - MEM_IDLE[$s] )); else V[$s]=""; fi;;
        esac
      done
      label=$(case $m in idle) echo "RSS before loading";; loaded) echo "RSS after loading";; growth) echo "growth for $MEM_KEYS keys";; esac)
      echo "| $label | $(mib "${V[forge]}") | $(mib "${V[redis]}") | $(ratio "$(mib "${V[forge]}")" "$(mib "${V[redis]}")") | $(mib "${V[garnet]}") | $(ratio "$(mib "${V[forge]}")" "$(mib "${V[garnet]}")") |"
    done
  fi
  echo
  echo "Notes:"
  echo "- Throughput ratios: forge/other req/s, so > 1 means forge is faster. Memory ratios: forge/other MiB, so < 1 means forge uses less."
  echo "- All servers run with persistence off; garnet with its default settings${GARNET_ARGS:+ plus '$GARNET_ARGS'}."
  echo "- Rows with n/a: the server gave no result for that test (see the problems below)."
  echo "- raw req/s per round:"
  for p in $PIPELINES; do for t in "${TEST_LIST[@]}"; do for s in "${SERVERS[@]}"; do
    echo "  - -P $p $t $s:${RES[$p,$t,$s]:-}"
  done; done; done
  for s in "${SERVERS[@]}"; do
    [ -n "${NOTE[$s]:-}" ] || continue
    echo "- problems ($s):"
    printf '%s' "${NOTE[$s]}" | awk -v RS='; ' 'NF { print "  - " $0 }'
  done
  true
}
