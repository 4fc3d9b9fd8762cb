#!/usr/bin/env bash
# bench/tunnel/run.sh: compare `forge tunnel` with `ssh -R` and with no tunnel at all, on loopback.
#
# Three configurations serve the same local nginx:
#   direct  wrk/curl -> nginx (127.0.0.1:APP)
#   forge   wrk/curl -> forge tunnel server public HTTP port (Host: bench.localtest)
#                    -> TLS control connection -> forge tunnel client -> nginx
#   ssh     wrk/curl -> sshd's remote-forwarded port -> ssh connection -> ssh client -> nginx
# Every workload runs ROUNDS times; inside each round every configuration runs once, and the order
# of the configurations rotates from round to round, so machine noise hits all of them evenly.
# Each cell of the tables is the median over the rounds.
#
# Ratio columns: every ratio is oriented so that > 1 means forge is better. For throughput rows
# that is forge ÷ other; for the p99 latency row (lower is better) it is other ÷ forge. The notes
# printed under the tables say the same.
#
# Everything (nginx, sshd, ssh, forge server and client) is started here with private configs in a
# temp dir and is killed, and the temp dir removed, on exit, failure or Ctrl-C. All traffic stays on
# 127.0.0.1. Environment variables: see README.md beside this file, or the defaults just below.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${FORGE_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}"
ROOT="$(cd "$ROOT" && pwd)"
FORGE="$ROOT/forge"

# The command line as given (before defaults are filled in), for the report.
CMDLINE="$(for v in FORGE_ROOT FORGE_CONTROL DURATION WARMUP ROUNDS SIZE_MB PARALLEL CONNS THREADS DL_TIMEOUT ONLY SSH_CIPHER; do
  if [ -n "${!v+x}" ]; then
    if [[ "${!v}" =~ ^[A-Za-z0-9_./,:-]*$ ]]; then printf '%s=%s ' "$v" "${!v}"; else printf '%s=%q ' "$v" "${!v}"; fi
  fi; done; printf '%s' "$0"; for a in "$@"; do printf ' %q' "$a"; done)"

DURATION="${DURATION:-10s}"       # wrk duration of one measured run
WARMUP="${WARMUP:-3s}"            # wrk warm-up per configuration before measuring ("0" skips)
ROUNDS="${ROUNDS:-3}"             # measured rounds per workload (median is reported)
SIZE_MB="${SIZE_MB:-1024}"        # size of /big in MiB
PARALLEL="${PARALLEL:-8}"         # concurrent downloads in the parallel workload
CONNS="${CONNS:-50}"              # wrk connections
THREADS="${THREADS:-2}"           # wrk threads
DL_TIMEOUT="${DL_TIMEOUT:-45}"    # seconds: cap on one download (single) or one batch (parallel)
ONLY="${ONLY:-direct,forge,ssh}"  # configurations to run (comma list)
INSTALL="${INSTALL:-1}"           # 1: apt-get install missing tools when root
FORGE_CONTROL="${FORGE_CONTROL:-tls}"  # forge's control connection: tls (like ssh, encrypted) or tcp (plaintext)
KEEP_TMP="${KEEP_TMP:-0}"         # 1: keep the temp dir (logs, configs) for inspection
SSH_CIPHER="${SSH_CIPHER:-}"      # empty: OpenSSH's default cipher; else passed as ssh -c
HOST_HEADER="Host: bench.localtest"

T0=$(date +%s)
log() { printf '[%4ds] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }

# ---------------------------------------------------------------------------------------------
# Cleanup: kill exactly the processes this script started (and sshd's per-connection children).
TMP=""
PIDS=()          # long-running background processes, in start order
declare -A PNAME # pid -> name, for messages
JOB_PIDS=()      # in-flight measurement jobs (wrk, curl)
MADE_RUN_SSHD=0
SSHD_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local p kids=()
  for p in "${JOB_PIDS[@]}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  if [ -n "$SSHD_PID" ]; then
    # per-connection sshd processes are children of the listener we started
    mapfile -t kids < <(ps -o pid= --ppid "$SSHD_PID" 2>/dev/null | tr -d ' ' || true)
  fi
  # stop in reverse start order: clients before servers
  local i
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do kill "${PIDS[i]}" 2>/dev/null || true; done
  for p in "${kids[@]}"; do kill "$p" 2>/dev/null || true; done
  local deadline=$(( $(date +%s) + 5 ))
  for p in "${PIDS[@]}" "${kids[@]}"; do
    while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ "$MADE_RUN_SSHD" = 1 ]; then rmdir /run/sshd 2>/dev/null || true; fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "$KEEP_TMP" = 1 ] || [ "$rc" != 0 ]; then
      if [ "$KEEP_TMP" = 1 ]; then log "kept $TMP"; else
        # on failure (not on Ctrl-C/TERM), show the logs that usually explain it, then remove the dir
        [ "$rc" = 130 ] || [ "$rc" = 143 ] || for f in "$TMP"/*.log "$TMP"/*.out "$TMP"/*.err; do
          [ -s "$f" ] || continue
          echo "---- tail of $(basename "$f")" >&2; tail -n 15 "$f" >&2
        done
        rm -rf "$TMP"
      fi
    else
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
command -v wrk >/dev/null || need_pkgs+=(wrk)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v python3 >/dev/null || need_pkgs+=(python3)
if want ssh; then
  [ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)
  command -v ssh >/dev/null || need_pkgs+=(openssh-client)
  command -v ssh-keygen >/dev/null || need_pkgs+=(openssh-client)
fi
NGINX="$(command -v nginx || true)"; [ -n "$NGINX" ] || NGINX=/usr/sbin/nginx
[ -x "$NGINX" ] || need_pkgs+=(nginx)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if [ "$INSTALL" = 1 ] && [ "$(id -u)" = 0 ]; then
    log "installing: ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # prefer the smallest nginx build; fall back to the full one
    pk=("${need_pkgs[@]/#nginx/nginx-light}")
    apt-get install -y -qq --no-install-recommends "${pk[@]}" >&2 ||
      apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
    NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  else
    die "missing tools (${need_pkgs[*]}); install them or run as root with INSTALL=1"
  fi
fi

# shellcheck source=app.sh
. "$SCRIPT_DIR/app.sh"   # free_port, write_app (the nginx local app)

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

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

http_200() { # URL: GET with the bench Host header, true on status 200
  [ "$(curl -s -o /dev/null --max-time 3 -H "$HOST_HEADER" -w '%{http_code}' "$1" 2>/dev/null)" = 200 ]
}

TMP="$(mktemp -d /tmp/forge-tunnel-bench.XXXXXX)"

# ---------------------------------------------------------------------------------------------
# Local app: nginx with a private config
APP_PORT=$(free_port)
write_app "$TMP" "$APP_PORT" "$SIZE_MB"
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" -e "$TMP/nginx-error.log" -g 'daemon off;' \
  >"$TMP/nginx.out" 2>&1 &
NGINX_PID=$!; PIDS+=("$NGINX_PID"); PNAME[$NGINX_PID]=nginx
wait_for 15 nginx "$NGINX_PID" http_200 "http://127.0.0.1:$APP_PORT/small"
log "nginx on 127.0.0.1:$APP_PORT (pid $NGINX_PID), /big = $SIZE_MB MiB"

declare -A URL
URL[direct]="http://127.0.0.1:$APP_PORT"

# ---------------------------------------------------------------------------------------------
# forge tunnel server + client
FORGE_SERVER_PID=""; FORGE_CLIENT_PID=""
if want forge; then
  log "building forge ($ROOT)"
  FORGE_VERSION="$("$FORGE" --version 2>"$TMP/forge-build.err" | head -n 1)" || { cat "$TMP/forge-build.err" >&2; die "forge build failed"; }
  "$FORGE" tunnel --help >/dev/null 2>&1 || die "'$FORGE tunnel' is not available in $ROOT (run with ONLY=direct,ssh to skip forge)"
  (cd "$TMP" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
      -subj /CN=localtest -addext subjectAltName=DNS:localtest,DNS:*.localtest,IP:127.0.0.1 \
      -keyout key.pem -out cert.pem) >/dev/null 2>&1 || die "openssl could not make the certificate"
  HTTP_PORT=$(free_port); CTRL_PORT=$(free_port)
  while [ "$CTRL_PORT" = "$HTTP_PORT" ] || [ "$CTRL_PORT" = "$APP_PORT" ]; do CTRL_PORT=$(free_port); done
  case "$FORGE_CONTROL" in
    tls) CTRL_TLS=(--control-cert "$TMP/cert.pem" --control-key "$TMP/key.pem"); CTRL_URL="tls://127.0.0.1:$CTRL_PORT"; CTRL_CLIENT=(--insecure) ;;
    tcp) CTRL_TLS=(); CTRL_URL="tcp://127.0.0.1:$CTRL_PORT"; CTRL_CLIENT=() ;;
    *) die "FORGE_CONTROL must be tls or tcp, not '$FORGE_CONTROL'" ;;
  esac
  "$FORGE" tunnel server --domain localtest --http "127.0.0.1:$HTTP_PORT" --control "127.0.0.1:$CTRL_PORT" \
    ${CTRL_TLS[@]+"${CTRL_TLS[@]}"} >"$TMP/forge-server.log" 2>&1 &
  FORGE_SERVER_PID=$!; PIDS+=("$FORGE_SERVER_PID"); PNAME[$FORGE_SERVER_PID]="forge tunnel server"
  wait_for 60 "forge tunnel server" "$FORGE_SERVER_PID" tcp_open "$CTRL_PORT"
  # The client prints one line per request: keep that in a file, never on the terminal.
  "$FORGE" tunnel http "$APP_PORT" --server "$CTRL_URL" ${CTRL_CLIENT[@]+"${CTRL_CLIENT[@]}"} --subdomain bench \
    >"$TMP/forge-client.out" 2>"$TMP/forge-client.err" &
  FORGE_CLIENT_PID=$!; PIDS+=("$FORGE_CLIENT_PID"); PNAME[$FORGE_CLIENT_PID]="forge tunnel client"
  wait_for 60 "forge tunnel client (Forwarding line)" "$FORGE_CLIENT_PID" grep -q '^Forwarding' "$TMP/forge-client.out"
  wait_for 30 "forge tunnel (200 through the tunnel)" "$FORGE_CLIENT_PID" http_200 "http://127.0.0.1:$HTTP_PORT/small"
  URL[forge]="http://127.0.0.1:$HTTP_PORT"
  log "forge: public 127.0.0.1:$HTTP_PORT, control $CTRL_URL (server pid $FORGE_SERVER_PID, client pid $FORGE_CLIENT_PID)"
fi

# ---------------------------------------------------------------------------------------------
# sshd + ssh -R
SSH_PID=""
if want ssh; then
  SSH_PORT=$(free_port); FWD_PORT=$(free_port)
  while [ "$FWD_PORT" = "$SSH_PORT" ] || [ "$FWD_PORT" = "$APP_PORT" ]; do FWD_PORT=$(free_port); done
  ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$TMP/ssh_host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C bench-user -f "$TMP/user_key"
  cp "$TMP/user_key.pub" "$TMP/authorized_keys"
  cat >"$TMP/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $TMP/ssh_host_ed25519_key
PidFile $TMP/sshd.pid
AuthorizedKeysFile $TMP/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
GatewayPorts no
AllowTcpForwarding remote
AllowAgentForwarding no
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel INFO
EOF
  # sshd needs its privilege-separation directory; make it only if absent, remove it on exit.
  if [ ! -d /run/sshd ]; then mkdir -m 755 /run/sshd; MADE_RUN_SSHD=1; fi
  /usr/sbin/sshd -t -f "$TMP/sshd_config" 2>"$TMP/sshd.log" || die "sshd rejected its config"
  /usr/sbin/sshd -D -f "$TMP/sshd_config" -e >>"$TMP/sshd.log" 2>&1 &
  SSHD_PID=$!; PIDS+=("$SSHD_PID"); PNAME[$SSHD_PID]=sshd
  wait_for 15 sshd "$SSHD_PID" tcp_open "$SSH_PORT"
  cipher_opt=(); [ -n "$SSH_CIPHER" ] && cipher_opt=(-c "$SSH_CIPHER")
  ssh -N -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
    -o ExitOnForwardFailure=yes -o LogLevel=ERROR "${cipher_opt[@]}" -F /dev/null -i "$TMP/user_key" -p "$SSH_PORT" \
    -R "127.0.0.1:$FWD_PORT:127.0.0.1:$APP_PORT" root@127.0.0.1 >"$TMP/ssh.log" 2>&1 &
  SSH_PID=$!; PIDS+=("$SSH_PID"); PNAME[$SSH_PID]="ssh -R"
  wait_for 20 "ssh -R" "$SSH_PID" http_200 "http://127.0.0.1:$FWD_PORT/small"
  URL[ssh]="http://127.0.0.1:$FWD_PORT"
  # the negotiated cipher is the first of the client's list (sshd here accepts OpenSSH's defaults)
  SSH_CIPHER_USED="$(ssh -G -F /dev/null "${cipher_opt[@]}" -p "$SSH_PORT" root@127.0.0.1 2>/dev/null |
    awk '$1=="ciphers"{split($2,a,","); print a[1]}')"
  log "ssh -R: 127.0.0.1:$FWD_PORT -> 127.0.0.1:$APP_PORT via sshd 127.0.0.1:$SSH_PORT (sshd pid $SSHD_PID, ssh pid $SSH_PID)"
fi

CONFIGS=()
for c in direct forge ssh; do want "$c" && CONFIGS+=("$c"); done
[ "${#CONFIGS[@]}" -gt 0 ] || die "ONLY=$ONLY selects no configuration"

# ---------------------------------------------------------------------------------------------
# CPU accounting: ticks used by each process tree we started, and by the whole machine.
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
cpu_snapshot() { # prints: time total_busy nginx forge_server forge_client ssh sshd   (time in s, the rest in ticks)
  local busy t
  t=$(now); busy=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat)
  local roots="${NGINX_PID:-0} ${FORGE_SERVER_PID:-0} ${FORGE_CLIENT_PID:-0} ${SSH_PID:-0} ${SSHD_PID:-0}"
  # /proc/PID/stat: field 2 (comm) may contain spaces; parse after the last ')'
  local stats
  stats=$(for f in /proc/[0-9]*/stat; do read -r l <"$f" 2>/dev/null && echo "$l"; done || true)
  echo "$stats" | awk -v roots="$roots" -v busy="$busy" -v now="$t" '
    { pid=$1; r=$0; sub(/^.*\) /, "", r); split(r, a, " "); ppid[pid]=a[2]; t[pid]=a[12]+a[13] }
    END {
      n=split(roots, R, " "); out=now" "busy
      for (i=1;i<=n;i++) {
        s=0
        for (p in t) { q=p; d=0; while (q!="" && q!=0 && d<64) { if (q==R[i]) { s+=t[p]; break } q=ppid[q]; d++ } }
        out=out" "s
      }
      print out
    }'
}
declare -A CPU   # CPU[workload,config] accumulated "secs busy nginx fsrv fcli ssh sshd" over rounds
cpu_add() { # workload config snapshot_before snapshot_after
  local key="$1,$2"
  CPU[$key]=$(awk -v a="$3" -v b="$4" -v prev="${CPU[$key]:-}" -v hz="$HZ" 'BEGIN{
    n=split(a,A," "); split(b,B," "); split(prev,P," ")
    out=sprintf("%.3f", P[1]+B[1]-A[1])
    for(i=2;i<=n;i++) out=out" "sprintf("%.3f", P[i]+(B[i]-A[i])/hz)
    print out }')
}
now() { date +%s.%N; }

# Measurement commands run as background jobs that the script `wait`s for: a trapped signal
# (Ctrl-C, TERM) interrupts `wait` at once, so the EXIT trap can stop everything; a foreground
# wrk would first run to its end (and wrk treats SIGINT as "stop and print results").
job() { # OUTFILE CMD...: run CMD with stdout+stderr to OUTFILE, return its exit code
  local out=$1; shift
  "$@" >"$out" 2>&1 &
  local p=$! rc=0
  JOB_PIDS+=("$p")
  wait "$p" || rc=$?
  JOB_PIDS=()
  return "$rc"
}

alive_or_die() { # every service we started must still be running before a measurement
  local p
  for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || die "${PNAME[$p]:-process} (pid $p) has exited"; done
}

# ---------------------------------------------------------------------------------------------
# Workloads
declare -A RES   # RES[metric,config] = space-separated values over rounds
declare -A NOTE  # NOTE[config] = problems seen (errors, truncated downloads)
add_res() { RES[$1,$2]="${RES[$1,$2]:-} $3"; }
add_note() { NOTE[$1]="${NOTE[$1]:-}$2; "; }

order_for_round() { # rotate the configuration order by the round number
  local r=$1 n=${#CONFIGS[@]} i
  for (( i=0; i<n; i++ )); do echo "${CONFIGS[(i+r)%n]}"; done
}

to_ms() { # wrk latency value like 812.00us / 1.23ms / 2.01s -> ms
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 }
    else if (v ~ /ms$/) { sub(/ms$/,"",v); print v+0 }
    else if (v ~ /m$/) { sub(/m$/,"",v); print v*60000 }
    else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } else print v+0 }'
}

run_wrk() { # config round
  local c=$1 r=$2 out="$TMP/wrk-$1-$2.txt" a b
  alive_or_die
  a=$(cpu_snapshot)
  job "$out" timeout 600 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "$HOST_HEADER" "${URL[$c]}/small" ||
    { add_note "$c" "wrk exited non-zero in round $r"; }
  b=$(cpu_snapshot)
  cpu_add small "$c" "$a" "$b"
  local rps p99 errs non2xx
  rps=$(awk '/^Requests\/sec:/{print $2}' "$out")
  p99=$(awk '$1=="99%"{print $2}' "$out")
  errs=$(grep -o 'Socket errors:.*' "$out" || true)
  non2xx=$(awk '/Non-2xx or 3xx responses:/{print $NF}' "$out")
  [ -n "$rps" ] && add_res rps "$c" "$rps" || add_note "$c" "wrk gave no Requests/sec in round $r"
  [ -n "$p99" ] && add_res p99 "$c" "$(to_ms "$p99")"
  [ -n "$errs" ] && add_note "$c" "wrk round $r: $errs"
  [ -n "$non2xx" ] && add_note "$c" "wrk round $r: $non2xx non-2xx responses"
  log "  small $c round $r: ${rps:-?} req/s, p99 ${p99:-?}${errs:+, $errs}${non2xx:+, non-2xx $non2xx}"
}

CURL_FMT='%{http_code} %{size_download} %{time_total} %{speed_download}\n'
BIG_BYTES=$(( SIZE_MB * 1024 * 1024 ))

run_single() { # config round
  local c=$1 r=$2 a b line rc=0
  alive_or_die
  a=$(cpu_snapshot)
  job "$TMP/single-$c-$r.txt" curl -s -o /dev/null --max-time "$DL_TIMEOUT" -H "$HOST_HEADER" -w "$CURL_FMT" "${URL[$c]}/big" || rc=$?
  b=$(cpu_snapshot)
  line=$(tail -n 1 "$TMP/single-$c-$r.txt")
  cpu_add single "$c" "$a" "$b"
  local code size speed; read -r code size _ speed <<<"$line"
  [ "${code:-}" = 200 ] || add_note "$c" "single download round $r: HTTP ${code:-none} (curl rc $rc)"
  [ "${size:-0}" = "$BIG_BYTES" ] || add_note "$c" "single download round $r: got ${size:-0} of $BIG_BYTES bytes (curl rc $rc)"
  local mbs; mbs=$(awk -v s="${speed:-0}" 'BEGIN{printf "%.1f", s/1e6}')
  add_res single "$c" "$mbs"
  log "  single $c round $r: $mbs MB/s (${size:-0} bytes)"
}

run_parallel() { # config round
  local c=$1 r=$2 a b t1 t2 i rc fail=0
  alive_or_die
  a=$(cpu_snapshot); t1=$(now)
  JOB_PIDS=()
  for (( i=0; i<PARALLEL; i++ )); do
    curl -s -o /dev/null --max-time "$DL_TIMEOUT" -H "$HOST_HEADER" -w "$CURL_FMT" "${URL[$c]}/big" \
      >"$TMP/par-$c-$r-$i.txt" 2>&1 &
    JOB_PIDS+=($!)
  done
  for i in "${!JOB_PIDS[@]}"; do rc=0; wait "${JOB_PIDS[i]}" || rc=$?; [ "$rc" = 0 ] || fail=$((fail+1)); done
  JOB_PIDS=()
  t2=$(now); b=$(cpu_snapshot)
  local wall; wall=$(awk -v x="$t1" -v y="$t2" 'BEGIN{print y-x}')
  cpu_add parallel "$c" "$a" "$b"
  local total bad
  total=$(cat "$TMP"/par-"$c"-"$r"-*.txt | awk '{s+=$2} END{printf "%.0f", s}')
  bad=$(cat "$TMP"/par-"$c"-"$r"-*.txt | awk -v want="$BIG_BYTES" '$1!=200 || $2!=want {n++} END{print n+0}')
  [ "$fail" = 0 ] && [ "$bad" = 0 ] ||
    add_note "$c" "parallel round $r: $bad of $PARALLEL downloads incomplete or not 200 (rate counts bytes received)"
  local mbs; mbs=$(awk -v s="$total" -v w="$wall" 'BEGIN{printf "%.1f", s/1e6/w}')
  add_res parallel "$c" "$mbs"
  log "  parallel $c round $r: $mbs MB/s total ($total bytes in ${wall}s)"
}

if [ "$WARMUP" != 0 ]; then
  log "warm-up (${WARMUP} wrk + a 2 s download per configuration)"
  for c in "${CONFIGS[@]}"; do
    job /dev/null timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -H "$HOST_HEADER" "${URL[$c]}/small" || true
    job /dev/null curl -s -o /dev/null --max-time 2 -H "$HOST_HEADER" "${URL[$c]}/big" || true
  done
fi

log "small requests: wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds"
for (( r=1; r<=ROUNDS; r++ )); do for c in $(order_for_round "$r"); do run_wrk "$c" "$r"; done; done
log "single-stream download of $SIZE_MB MiB, $ROUNDS rounds"
for (( r=1; r<=ROUNDS; r++ )); do for c in $(order_for_round "$r"); do run_single "$c" "$r"; done; done
log "$PARALLEL parallel downloads of $SIZE_MB MiB, $ROUNDS rounds"
for (( r=1; r<=ROUNDS; r++ )); do for c in $(order_for_round "$r"); do run_parallel "$c" "$r"; done; done

# ---------------------------------------------------------------------------------------------
# Report
median() { tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g | awk '{v[NR]=$1} END{ if (NR==0) print "n/a";
  else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
fmt() { # metric value
  [ "$2" = n/a ] && { echo n/a; return; }
  case $1 in rps) awk -v v="$2" 'BEGIN{printf "%.0f", v}';; p99) awk -v v="$2" 'BEGIN{printf "%.2f", v}';;
    *) awk -v v="$2" 'BEGIN{printf "%.1f", v}';; esac
}
ratio() { # metric forge other: oriented so > 1 means forge is better
  local m=$1 f=$2 o=$3
  if [ "$f" = n/a ] || [ "$o" = n/a ]; then echo n/a; return; fi
  if [ "$m" = p99 ]; then awk -v f="$f" -v o="$o" 'BEGIN{ if (f>0) printf "%.2f", o/f; else print "n/a" }'
  else awk -v f="$f" -v o="$o" 'BEGIN{ if (o>0) printf "%.2f", f/o; else print "n/a" }'; fi
}
declare -A MED
for m in rps p99 single parallel; do for c in direct forge ssh; do MED[$m,$c]=$(median "${RES[$m,$c]:-}"); done; done
METRICS=(rps p99 single parallel)
declare -A NAME=(
  [rps]="small requests, $CONNS conns keep-alive (req/s)"
  [p99]="small requests p99 latency (ms)"
  [single]="$(if [ "$SIZE_MB" = 1024 ]; then echo "1 GiB"; else echo "$SIZE_MB MiB"; fi) download, single stream (MB/s)"
  [parallel]="$PARALLEL parallel $(if [ "$SIZE_MB" = 1024 ]; then echo "1 GiB"; else echo "$SIZE_MB MiB"; fi) downloads (MB/s total)"
)

ELAPSED=$(( $(date +%s) - T0 ))
{
  echo
  echo "## forge tunnel benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: nproc=$NCPU, kernel $(uname -srm), $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  echo "- command: $CMDLINE"
  echo "- forge: ${FORGE_VERSION:-not run} ($ROOT); $("$NGINX" -v 2>&1 | sed 's/.*version: //'); $(ssh -V 2>&1 | cut -d, -f1); $(wrk --version 2>&1 | head -1 | awk '{print "wrk", $2}')"
  echo "- each cell: median of $ROUNDS rounds (configurations interleaved, order rotated per round); run took ${ELAPSED}s"
  echo
  echo "| workload | forge | peer | forge/peer |"
  echo "|---|---:|---:|---:|"
  for m in "${METRICS[@]}"; do
    echo "| ${NAME[$m]} | $(fmt "$m" "${MED[$m,forge]}") | $(fmt "$m" "${MED[$m,ssh]}") | $(ratio "$m" "${MED[$m,forge]}" "${MED[$m,ssh]}") |"
  done
  echo
  echo "| workload | forge | direct | forge/direct |"
  echo "|---|---:|---:|---:|"
  for m in "${METRICS[@]}"; do
    echo "| ${NAME[$m]} | $(fmt "$m" "${MED[$m,forge]}") | $(fmt "$m" "${MED[$m,direct]}") | $(ratio "$m" "${MED[$m,forge]}" "${MED[$m,direct]}") |"
  done
  echo
  echo "Notes:"
  echo "- peer = ssh -R (OpenSSH client -> sshd on 127.0.0.1, cipher ${SSH_CIPHER_USED:-?}${SSH_CIPHER:+ (SSH_CIPHER)}${SSH_CIPHER:-, OpenSSH default}); direct = wrk/curl straight to nginx."
  echo "- Every ratio is oriented so that > 1 means forge is better: forge/other for req/s and MB/s,"
  echo "  but other/forge (inverted) for the p99 latency row, where lower is better."
  echo "- MB = 10^6 bytes. Single stream = curl's speed_download; parallel = bytes received by all $PARALLEL curls / wall time."
  echo "- Targets: forge >= ssh -R on every row (forge/peer >= 1); forge >= 0.5x direct req/s and single-stream MB/s."
  for m in "${METRICS[@]}"; do
    for o in ssh direct; do
      rt=$(ratio "$m" "${MED[$m,forge]}" "${MED[$m,$o]}")
      [ "$rt" = n/a ] && continue
      min=1; [ "$o" = direct ] && { case $m in rps|single) min=0.5;; *) continue;; esac; }
      ok=$(awk -v r="$rt" -v m="$min" 'BEGIN{print (r>=m)?"met":"MISSED"}')
      echo "  - ${NAME[$m]} vs $o: $rt (target >= $min): $ok"
    done
  done
  echo "- raw values per round (in run order of rounds):"
  for m in "${METRICS[@]}"; do for c in "${CONFIGS[@]}"; do echo "  - $m $c:${RES[$m,$c]:-}"; done; done
  echo "- CPU use, in cores averaged over the measured runs (machine has $NCPU); 'other' = everything else"
  echo "  (wrk/curl, kernel softirq):"
  for w in small single parallel; do
    for c in "${CONFIGS[@]}"; do
      v="${CPU[$w,$c]:-}"; [ -n "$v" ] || continue
      awk -v w="$w" -v c="$c" -v v="$v" 'BEGIN{ split(v,a," "); s=a[1]; if (s<=0) exit
        tot=a[2]/s; ng=a[3]/s; fs=a[4]/s; fc=a[5]/s; sc=a[6]/s; sd=a[7]/s; oth=tot-ng-fs-fc-sc-sd
        line=sprintf("  - %-8s %-6s total %.2f | nginx %.2f", w, c, tot, ng)
        if (c=="forge") line=line sprintf(" | forge server %.2f | forge client %.2f", fs, fc)
        if (c=="ssh") line=line sprintf(" | sshd %.2f | ssh %.2f", sd, sc)
        printf "%s | other %.2f\n", line, oth }'
    done
  done
  for c in "${CONFIGS[@]}"; do [ -n "${NOTE[$c]:-}" ] && echo "- problems ($c): ${NOTE[$c]}"; done
  if want forge; then
    echo "- forge client log: $(wc -l <"$TMP/forge-client.out") lines (one per request), kept out of the terminal."
  fi
  true
}
