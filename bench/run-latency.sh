#!/bin/sh
# run-latency.sh [BUILD] [ROUNDS] - start-to-exit latency of a /bin/true app (busybox-static rootfs)
#
#   ace-stage1 : stage1 `run` (/init) of a prepared overlay pod (new PID, mount, IPC, UTS and
#                network namespaces with loopback up, overlayfs rootfs, /proc /sys /dev, stage2
#                pivot_root + credentials + exec, supervisor, logs) with default isolation:
#                sealed re-exec of stage1 and stage2, pod/supervisor/app cgroups with the device
#                policy, masked /proc and /sys, read-only cgroup view, capability bounding set,
#                default seccomp filter (i386 + x32 tables)
#   ace-open   : the same pod with the walls off: --disable-capabilities-restriction
#                --disable-paths --disable-seccomp (cgroups and sealing stay)
#   crun       : `crun run` of an OCI bundle of the same rootfs (`crun spec`, /bin/true,
#                namespaces pid, network, ipc, uts, mount; cgroupfs manager)
#   unshare    : `unshare -pnium --fork chroot ROOTFS /bin/true` (the namespaces+chroot floor)
#
# The four alternate in blocks of 3 runs for ROUNDS rounds (default 10, so 30 runs each) after
# 3 warm-ups, timed by hyperfine without a shell (-N); medians and min..max of all runs.
# Needs root, hyperfine, crun, busybox-static (all in the Makefile's DEB_PKGS).
set -eu
build=$(cd "${1:-build}" && pwd)
rounds=${2:-10}
stage1=$build/stage1/ace-stage1
stage2=$build/stage1/ace-stage2
[ -x "$stage1" ] && [ -x "$stage2" ] || { echo "build stage1 first (make)" >&2; exit 1; }
command -v hyperfine >/dev/null && command -v crun >/dev/null || { echo "needs hyperfine and crun" >&2; exit 1; }

work=$(mktemp -d /tmp/ace-bench-XXXXXX)
# The pod's cgroups go with stage1 gc (same UUID every run: one set of cgroups).
trap 'exec 9<&-; cd / && [ -n "${pod:-}" ] && [ -d "$pod" ] && (cd "$pod" && "$store/deps-stage1/rootfs/gc" "$uuid" >/dev/null 2>&1); rm -rf "$work"' EXIT

. "$(dirname "$0")/cgroup-v1-hybrid.sh"

# One rootfs, three consumers.
rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for l in sh true; do ln -s busybox "$rootfs/bin/$l"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
echo 'root:x:0:' > "$rootfs/etc/group"

# The ace pod, laid out as stage0 prepares it (Documentation/stage1-abi.md).
store=$work/data/cas/tree
uuid=6f1f4b0e-0d7c-4d7e-9f3a-2b6c1d0e9a11
pod=$work/data/pods/run/$uuid
mkdir -p "$store/deps-stage1/rootfs" "$store/deps-app" "$pod/appsinfo/true" "$pod/stage1/rootfs"
# Stripped, as in the stage1 image (stage1/build-aci.sh): the sealed copies cost what they copy.
strip -o "$store/deps-stage1/rootfs/init" "$stage1"
strip -o "$store/deps-stage1/rootfs/stage2" "$stage2"
ln "$store/deps-stage1/rootfs/init" "$store/deps-stage1/rootfs/gc"
cp -a "$rootfs" "$store/deps-app/rootfs"
echo deps-app > "$pod/appsinfo/true/treeStoreID"
echo deps-stage1 > "$pod/stage1TreeStoreID"
mkdir -p "$pod/overlay/deps-app/upper/true" "$pod/overlay/deps-app/work/true"
: > "$pod/overlay-prepared"
printf '{"treeStorePath": "%s", "overlay": true, "stopTimeout": 10}\n' "$store" > "$pod/runtime-config"
cat > "$pod/pod" <<EOF
{"acVersion": "0.8.11", "acKind": "PodManifest", "apps": [{"name": "true",
 "image": {"id": "sha512-$(printf '0%.0s' $(seq 128))"}, "app": {"exec": ["/bin/true"], "user": "0", "group": "0"}}]}
EOF

# The OCI bundle: crun's default spec, /bin/true, no terminal.
bundle=$work/bundle
mkdir -p "$bundle"
cp -a "$rootfs" "$bundle/rootfs"
(cd "$bundle" && crun spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"/"\/bin\/true"/' config.json)

ace_cmd="$store/deps-stage1/rootfs/init --net=none $uuid"
open_cmd="$store/deps-stage1/rootfs/init --net=none --disable-capabilities-restriction --disable-paths --disable-seccomp $uuid"
crun_cmd="crun run --bundle $bundle ace-bench-crun"
unshare_cmd="unshare -pnium --fork chroot $rootfs /bin/true"

# stage1 wants the pod dir as cwd and RKT_LOCK_FD: hold the lock on fd 9 for the whole run.
cd "$pod"
exec 9<"$pod"
flock -x 9
export RKT_LOCK_FD=9

for name in ace open crun unshare; do : > "$work/$name.times"; done
hyperfine -N --warmup 3 --runs 3 "$ace_cmd" "$open_cmd" "$crun_cmd" "$unshare_cmd" >/dev/null 2>&1 || true
i=0
while [ $i -lt "$rounds" ]; do
	for name in ace open crun unshare; do
		eval "cmd=\$${name}_cmd"
		hyperfine -N --runs 3 --export-json "$work/r.json" "$cmd" >/dev/null 2>&1
		# "times": [ a, b, c ] -> one value per line, in seconds
		tr -d ' \n' < "$work/r.json" | sed 's/.*"times":\[\([^]]*\)\].*/\1/' | tr ',' '\n' >> "$work/$name.times"
		echo >> "$work/$name.times"
	done
	i=$((i + 1))
done

stats() {
	grep . "$1" | sort -g | awk '{ v[NR] = $1 * 1000 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%8.2f ms   %6.2f .. %6.2f ms   n=%d\n", m, v[1], v[NR], NR }'
}
echo "start-to-exit of /bin/true, median and min..max ($(uname -r), $(nproc) CPUs)"
printf '%-10s ' "ace-stage1"; stats "$work/ace.times"
printf '%-10s ' "ace-open"; stats "$work/open.times"
printf '%-10s ' "crun"; stats "$work/crun.times"
printf '%-10s ' "unshare"; stats "$work/unshare.times"
