#!/usr/bin/env bash
# forge sniff vs tcpdump, side by side on this machine (issue #6's benchmark).
#
#   [FORGE_AOT=0] bench/sniff/run.sh [PACKETS]     (default 1200000)
#
# 1. Makes a capture file of PACKETS small loopback packets: iperf3 UDP (64-byte datagrams) and a
#    TCP stream on 127.0.0.1, captured by tcpdump -w (so the file is tcpdump's, not ours).
# 2. Reads it: `tcpdump -r big.pcap -n > /dev/null` vs `forge sniff -r big.pcap -n > /dev/null`,
#    also with -v and -X, and read + rewrite with `-w /dev/null`. Reports packets/s and the ratio.
# 3. Live: an iperf3 UDP flood on lo for a few seconds, captured by both at once, printing to
#    /dev/null and with -w /dev/null; reports packets captured and dropped (the tools' own stats).
# Needs root (live capture), tcpdump and iperf3. Only loopback traffic.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
packets="${1:-1200000}"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
# By default forge runs as the NativeAOT binary (what a command-line tool like tcpdump is deployed
# as: ~7 ms to start instead of ~100 ms with the JIT, which matters for the shorter file workloads;
# the first build takes about 2 minutes). FORGE_AOT=0 measures the JIT build that ./forge runs.
export FORGE_AOT="${FORGE_AOT:-1}"
"$root/forge" sniff --version >/dev/null
if [ "${FORGE_AOT:-0}" = "1" ]; then
  forge="$root/artifacts/aot/forge"
else
  forge="$root/artifacts/bin/Forge/release/forge"
fi

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds; fails the run after SECONDS.
wait_for() {
  local deadline=$(( $(date +%s%N) + ${1} * 1000000000 )); shift
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || { echo "run.sh: timed out waiting for: $*" >&2; exit 1; }
    sleep 0.05
  done
}
port_listening() { ss -Hlnt "sport = :$1" 2>/dev/null | grep -q .; }
said_listening() { grep -q "listening on" "$1" 2>/dev/null; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# idle PID...: true once none of the processes used CPU over the last 200 ms (their ring is drained).
idle() {
  local before=() p i=0
  for p in "$@"; do before+=("$(cpu_ticks "$p")"); done
  sleep 0.2
  for p in "$@"; do [ "$(cpu_ticks "$p")" = "${before[$i]}" ] || return 1; i=$((i + 1)); done
}
for t in tcpdump iperf3; do command -v $t >/dev/null || { echo "run.sh: $t is needed" >&2; exit 1; }; done

port=$((20000 + RANDOM % 20000))
iperf3 -s -p $port -D -1 >/dev/null 2>&1 || true
wait_for 10 port_listening $port

echo "== making $packets packets of loopback traffic"
tcpdump -i lo -n -s 262144 -c "$packets" -w "$work/big.pcap" -B 65536 2>"$work/make.err" &
cap=$!; pids+=($cap)
wait_for 10 said_listening "$work/make.err"
while kill -0 $cap 2>/dev/null; do
  iperf3 -c 127.0.0.1 -p $port -u -b 0 -l 64 -t 5 >/dev/null 2>&1 || true
  kill -0 $cap 2>/dev/null || break
  iperf3 -s -p $port -D -1 >/dev/null 2>&1 || true
  wait_for 10 port_listening $port
done
ls -la "$work/big.pcap" | awk '{print "file size:", $5, "bytes"}'

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
rate() { echo "scale=2; $packets / $1 / 1000000" | bc; }
printf '%-34s %12s %12s %8s\n' "file workload" "tcpdump Mp/s" "forge Mp/s" "ratio"
for flags in "-n" "-n -v" "-n -X" "-w /dev/null"; do
  # shellcheck disable=SC2086
  t=$(secs tcpdump -r "$work/big.pcap" $flags)
  # shellcheck disable=SC2086
  f=$(secs "$forge" sniff -r "$work/big.pcap" $flags)
  printf '%-34s %12s %12s %8s\n' "-r big.pcap $flags" "$(rate "$t")" "$(rate "$f")" "$(echo "scale=2; $t / $f" | bc)"
done

echo "== live: iperf3 UDP flood on lo (4 s), both capturing at once"
for mode in print write; do
  if [ $mode = print ]; then out=(-n); else out=(-w /dev/null); fi
  tcpdump -i lo "${out[@]}" >/dev/null 2>"$work/tcpdump.err" & t=$!; pids+=($t)
  "$forge" sniff -i lo "${out[@]}" >/dev/null 2>"$work/forge.err" & f=$!; pids+=($f)
  wait_for 30 said_listening "$work/tcpdump.err"
  wait_for 30 said_listening "$work/forge.err"
  iperf3 -s -p $port -D -1 >/dev/null 2>&1 || true
  wait_for 10 port_listening $port
  iperf3 -c 127.0.0.1 -p $port -u -b 200M -l 64 -t 4 >/dev/null 2>&1 || true
  wait_for 30 idle $t $f
  # SIGTERM, not SIGINT: a script's background jobs ignore SIGINT. Both tools stop and print their statistics.
  kill -TERM $t $f; wait $t $f 2>/dev/null || true
  echo "-- $mode: tcpdump: $(grep -E 'captured|dropped by kernel' "$work/tcpdump.err" | tr '\n' ' ')"
  echo "-- $mode: forge:   $(grep -E 'captured|dropped by kernel' "$work/forge.err" | tr '\n' ' ')"
done
