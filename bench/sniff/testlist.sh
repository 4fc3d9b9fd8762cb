#!/usr/bin/env bash
# Runs tcpdump's own regression suite (tests/TESTLIST of tcpdump 4.99.3) against `forge sniff`.
#
#   bench/sniff/testlist.sh TESTS_DIR [-v] [-a]
#
# TESTS_DIR is tcpdump's tests/ directory (it is NOT part of this repository; CI does not need it).
# Each TESTLIST line is `name input expected.out args`; an entry passes when
#   forge sniff -# -n -r TESTS_DIR/input args
# prints exactly expected.out (stdout only, TZ=GMT0), as tcpdump's TESTrun checks.
#
# "Only the protocols above" (issue #6's decoders): an entry is in the subset when
#   1. every frame of its capture, as tshark 4.0 dissects it (frame.protocols), holds only
#      eth, ethertype, vlan, sll, null, loop, raw, ip, ipv6 (and its hop-by-hop, destination-options,
#      routing and fragment headers), arp, tcp, udp, icmp, icmpv6, dns, mdns, http, data-text-lines,
#      and tshark's own _ws.malformed / _ws.short markers. tshark's generic "data" is NOT in the set:
#      a payload tshark does not dissect is usually one tcpdump does (BGP, ISAKMP, NFS, ...); and
#   2. its arguments use only flags forge sniff has (-v.., -e, -x.., -X.., -A, -q, -t.., -S, -K, -c N,
#      -s N, -nn): no -T packet types, no -E secrets, no filter expression.
# The script prints both counts: the subset's and all entries'. -v lists failing entries, -a also
# shows the first lines of each failing diff.
set -uo pipefail
tests="${1:?usage: testlist.sh TESTS_DIR [-v] [-a]}"
shift
verbose=0; diffs=0
for a in "$@"; do
  case "$a" in
    -v) verbose=1 ;;
    -a) verbose=1; diffs=1 ;;
  esac
done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/forge" sniff --version >/dev/null || { echo "testlist.sh: forge does not build" >&2; exit 1; }
forge="$root/artifacts/bin/Forge/release/forge"
command -v tshark >/dev/null || { echo "testlist.sh: tshark is needed to classify the captures" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
allowed=' eth ethertype vlan sll null loop raw ip ipv6 ipv6.hopopts ipv6.dstopts ipv6.routing ipv6.fraghdr arp tcp udp icmp icmpv6 dns mdns http data-text-lines _ws.malformed _ws.short '

# Classify each capture once: the cache holds, per capture, every protocol tshark saw in it.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/forge-sniff-testlist-$(echo "$tests" | md5sum | cut -c1-8).protocols"
if [ ! -s "$cache" ]; then
  mkdir -p "$(dirname "$cache")"
  classify() {
    local protos
    protos="$(timeout 60 tshark -n -r "$1" -T fields -e frame.protocols 2>/dev/null | tr ':' '\n' | sort -u | tr '\n' ' ')"
    echo "$(basename "$1") ${protos:-unreadable}"
  }
  export -f classify
  ls "$tests" | grep -E '\.(pcap|pcapng|cap)$' | sed "s|^|$tests/|" | xargs -P 2 -I{} bash -c 'classify "$1"' _ {} > "$cache.tmp"
  mv "$cache.tmp" "$cache"
fi

in_allowed_set() {
  local p line
  line="$(grep -m1 "^$1 " "$cache")" || return 1
  for p in ${line#* }; do
    case "$allowed" in *" $p "*) ;; *) return 1 ;; esac
  done
  return 0
}

args_ok() {
  local a
  for a in "$@"; do
    case "$a" in
      -v|-vv|-vvv|-vvvv|-e|-ev|-ve|-x|-xx|-X|-XX|-A|-AA|-q|-t|-tt|-ttt|-tttt|-ttttt|-S|-K|-nn|-c*|-s*|[0-9]*) ;;
      *) return 1 ;;
    esac
  done
  return 0
}

total=0; pass=0; sub_total=0; sub_pass=0
failed=()
while read -r name input output rest; do
  case "$name" in ''|'#'*) continue ;; esac
  [ -n "${output:-}" ] || continue
  # shellcheck disable=SC2206
  args=($rest)
  total=$((total + 1))
  in_subset=0
  if in_allowed_set "$input" && args_ok "${args[@]+"${args[@]}"}"; then
    in_subset=1; sub_total=$((sub_total + 1))
  fi
  TZ=GMT0 "$forge" sniff -# -n -r "$tests/$input" ${args[@]+"${args[@]}"} > "$work/out" 2>/dev/null
  if diff -q "$work/out" "$tests/$output" >/dev/null 2>&1; then
    pass=$((pass + 1))
    [ $in_subset = 1 ] && sub_pass=$((sub_pass + 1))
  elif [ $in_subset = 1 ]; then
    failed+=("$name")
    if [ $diffs = 1 ]; then
      echo "--- $name ($input ${args[*]+"${args[*]}"})"
      diff "$tests/$output" "$work/out" | head -6
    fi
  fi
done < "$tests/TESTLIST"

if [ $verbose = 1 ] && [ ${#failed[@]} -gt 0 ]; then
  echo "failing in the subset: ${failed[*]}"
fi
echo "subset (only issue #6's protocols and flags): $sub_pass/$sub_total passed"
echo "all TESTLIST entries: $pass/$total passed"
