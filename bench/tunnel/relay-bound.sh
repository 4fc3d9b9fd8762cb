#!/usr/bin/env bash
# bench/tunnel/relay-bound.sh: what two chained HAProxy processes reach on this machine, against
# no relay at all, on the workloads of run.sh. HAProxy is a mature C event-loop proxy; a chain of
# two (one thread each) has the topology of a tunnel's server and client (two extra processes and
# two extra loopback hops between the visitor and the app), without a tunnel's multiplexing and
# encryption. Its ratio to direct bounds what a two-process relay can be expected to reach here,
# which puts the tunnel's "half of direct" targets in context (docs/benchmarks.md).
#
#   direct   wrk/curl -> nginx
#   haproxy  wrk/curl -> haproxy A -> haproxy B -> nginx   (MODE=http: HTTP mode with keep-alive
#            reuse and X-Forwarded-For, like the tunnel; MODE=tcp: byte relay)
#
# Environment: MODE (http|tcp, default http), ROUNDS (3), DURATION (10s), SIZE_MB (1024),
# CONNS (50), THREADS (2), INSTALL (1: apt-get haproxy/nginx/wrk/curl when root).
# Everything listens on 127.0.0.1, is started here and is stopped on exit.
set -euo pipefail

MODE="${MODE:-http}"; ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-10s}"; SIZE_MB="${SIZE_MB:-1024}"
CONNS="${CONNS:-50}"; THREADS="${THREADS:-2}"; INSTALL="${INSTALL:-1}"
case "$MODE" in http|tcp) ;; *) echo "MODE must be http or tcp" >&2; exit 2 ;; esac

need=()
for t in wrk curl haproxy python3; do command -v "$t" >/dev/null || need+=("$t"); done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"; [ -x "$NGINX" ] || need+=(nginx-light)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$INSTALL" = 1 ] && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
    NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  else
    echo "missing: ${need[*]}" >&2; exit 1
  fi
fi

TMP="$(mktemp -d /tmp/forge-relay-bound.XXXXXX)"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=app.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/app.sh"   # free_port, write_app (the nginx local app)
wait_http() { local i; for i in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

APP=$(free_port); A=$(free_port); B=$(free_port)
write_app "$TMP" "$APP" "$SIZE_MB"
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" -g 'daemon off;' >"$TMP/nginx.out" 2>&1 & PIDS+=($!)
haproxy_cfg() { # LISTEN TARGET
  cat <<EOF
global
  nbthread 1
  maxconn 4000
defaults
  mode $MODE
  timeout connect 5s
  timeout client 600s
  timeout server 600s
$( [ "$MODE" = http ] && printf '  option forwardfor\n  http-reuse always\n' )
frontend f
  bind 127.0.0.1:$1
  default_backend b
backend b
  server s1 127.0.0.1:$2
EOF
}
haproxy_cfg "$B" "$APP" >"$TMP/b.cfg"; haproxy_cfg "$A" "$B" >"$TMP/a.cfg"
haproxy -db -f "$TMP/b.cfg" >"$TMP/b.out" 2>&1 & PIDS+=($!)
haproxy -db -f "$TMP/a.cfg" >"$TMP/a.out" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$APP/small"; wait_http "http://127.0.0.1:$A/small"

declare -A URL=([direct]="http://127.0.0.1:$APP" [haproxy]="http://127.0.0.1:$A")
declare -A RPS SINGLE
for (( r=1; r<=ROUNDS; r++ )); do
  for c in $( [ $((r % 2)) = 1 ] && echo "direct haproxy" || echo "haproxy direct" ); do
    v=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "${URL[$c]}/small" | awk '/^Requests\/sec:/{print $2}')
    RPS[$c]="${RPS[$c]:-} $v"
    s=$(curl -s -o /dev/null -w '%{speed_download}' "${URL[$c]}/big" | awk '{printf "%.1f", $1/1e6}')
    SINGLE[$c]="${SINGLE[$c]:-} $s"
    echo "round $r $c: $v req/s, $s MB/s" >&2
  done
done
median() { tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.2f", (b>0)?a/b:0 }'; }
rh=$(median "${RPS[haproxy]}"); rd=$(median "${RPS[direct]}")
sh=$(median "${SINGLE[haproxy]}"); sd=$(median "${SINGLE[direct]}")
echo
echo "## two chained HAProxy processes ($MODE mode) against direct"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(haproxy -v | head -1 | awk '{print "HAProxy", $3}'); nproc=$(nproc)"
echo "- command: MODE=$MODE ROUNDS=$ROUNDS DURATION=$DURATION SIZE_MB=$SIZE_MB $0; medians of $ROUNDS rounds"
echo
echo "| workload | haproxy chain | direct | chain/direct |"
echo "|---|---:|---:|---:|"
echo "| small requests, $CONNS conns keep-alive (req/s) | $(printf '%.0f' "$rh") | $(printf '%.0f' "$rd") | $(ratio "$rh" "$rd") |"
echo "| $SIZE_MB MiB download, single stream (MB/s) | $sh | $sd | $(ratio "$sh" "$sd") |"
echo
echo "raw: req/s haproxy${RPS[haproxy]} / direct${RPS[direct]}; MB/s haproxy${SINGLE[haproxy]} / direct${SINGLE[direct]}"
