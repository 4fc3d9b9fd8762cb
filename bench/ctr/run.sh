#!/usr/bin/env bash
# forge ctr vs runc vs crun: start-to-exit latency of /bin/true in a busybox container (issue #7).
#
#   bench/ctr/run.sh [RUNS]     (default 50)
#
# One busybox-static root filesystem serves all three: forge imports it as a tarball; runc and
# crun get OCI bundles made here with `runc spec` (terminal off, the same rootfs, read-write).
# crun refuses this host's hybrid cgroup layout, so as the issue says it runs in a private mount
# namespace with the cgroup2 mount hidden: `unshare -m sh -c 'umount /sys/fs/cgroup/unified; exec crun …'`.
# The runs are interleaved (forge, forge-aot, runc, crun, unshare, forge, …) so that load from
# elsewhere on the machine hits all of them alike. Reports the median and p95 in ms.
# forge-aot is the NativeAOT build (FORGE_AOT=1 ./forge); it is built first if missing or stale.
# Needs root, busybox-static, runc, crun.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-50}"
work="$(mktemp -d /tmp/forge-bench-ctr.XXXXXX)"
cleanup() {
  runc delete -f "bench-runc-$$" >/dev/null 2>&1 || true
  crun delete -f "bench-crun-$$" >/dev/null 2>&1 || true
  "$root/artifacts/bin/Forge/release/forge" ctr --root "$work/forge" prune >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
for tool in runc crun busybox python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install runc crun busybox-static)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; exit 1; }

"$root/forge" --version >/dev/null
FORGE_AOT=1 "$root/forge" --version >/dev/null
forge="$root/artifacts/bin/Forge/release/forge"
forge_aot="$root/artifacts/aot/forge"

# The root filesystem: busybox-static with a link per applet.
rootfs="$work/bundle/rootfs"
mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root}
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"
tar -C "$rootfs" -cf "$work/rootfs.tar" .
"$forge" ctr --root "$work/forge" import "$work/rootfs.tar" bench:busybox >/dev/null

# The OCI bundle for runc and crun.
(cd "$work/bundle" && runc spec)
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec["process"]["terminal"] = False
spec["process"]["args"] = ["/bin/true"]
spec["root"]["readonly"] = False
json.dump(spec, open(path, "w"), indent=2)
PY

# Sanity: each runs /bin/true and exits 0.
"$forge" ctr --root "$work/forge" run --rm bench:busybox /bin/true
"$forge_aot" ctr --root "$work/forge" run --rm bench:busybox /bin/true
runc run --bundle "$work/bundle" "bench-runc-$$"
unshare -m sh -c "umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run --bundle '$work/bundle' 'bench-crun-$$'"

python3 - "$runs" "$work" "$forge" "$forge_aot" "$$" <<'PY'
import statistics, subprocess, sys, time
runs, work, forge, forge_aot, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
commands = {
    "forge ctr run --rm (JIT)": [forge, "ctr", "--root", f"{work}/forge", "run", "--rm", "bench:busybox", "/bin/true"],
    "forge ctr run --rm (NativeAOT)": [forge_aot, "ctr", "--root", f"{work}/forge", "run", "--rm", "bench:busybox", "/bin/true"],
    "runc run": ["runc", "run", "--bundle", f"{work}/bundle", f"bench-runc-{pid}"],
    "crun run": ["unshare", "-m", "sh", "-c", f"umount /sys/fs/cgroup/unified; exec crun run --bundle {work}/bundle bench-crun-{pid}"],
    "unshare -mpuin -f (floor)": ["unshare", "-mpuin", "-f", "chroot", f"{work}/bundle/rootfs", "/bin/true"],
}
times = {name: [] for name in commands}
for _ in range(runs):
    for name, argv in commands.items():
        start = time.perf_counter()
        code = subprocess.run(argv, stdin=subprocess.DEVNULL).returncode
        elapsed = (time.perf_counter() - start) * 1000
        if code != 0:
            sys.exit(f"run.sh: {name} exited {code}")
        times[name].append(elapsed)
print(f"start-to-exit of /bin/true, {runs} interleaved runs each (ms)")
print(f"{'':34} {'median':>8} {'p95':>8} {'min':>8}")
stats = {}
for name, t in times.items():
    t.sort()
    p95 = t[min(len(t) - 1, int(round(0.95 * len(t))) - 1)]
    stats[name] = (statistics.median(t), p95)
    print(f"{name:34} {statistics.median(t):8.1f} {p95:8.1f} {t[0]:8.1f}")

# The ratio table (times: below 1 means forge is faster). forge is the NativeAOT build.
aot = stats["forge ctr run --rm (NativeAOT)"]
print()
print("| workload | forge | peer | forge/peer |")
print("|---|---:|---:|---:|")
for peer in ("crun run", "runc run"):
    for i, what in enumerate(("median", "p95")):
        print(f"| run --rm /bin/true, {what} ms (peer: {peer.split()[0]}) | {aot[i]:.1f} | {stats[peer][i]:.1f} | {aot[i] / stats[peer][i]:.2f} |")
PY
