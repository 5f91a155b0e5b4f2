#!/bin/sh
# bench/pod-run.sh [BUILD] [ROUNDS] - `ace run` end to end, stage0 included:
#
#   1. one app, /bin/true from an image already in the store, --net=none:
#        ace      ace --dir=D run --net=none sha512-<full id>
#        crun     crun run --bundle B (an OCI bundle of the same busybox rootfs)
#        unshare  unshare -pnium --fork chroot R /bin/true           (the floor)
#      and the cost of the walls: ace with --insecure-options=all-run (no capability bounding,
#      seccomp or masked paths) in the same rotation;
#   2. the same with two apps: one pod of two apps / two crun containers started together /
#      two chroots in one set of namespaces;
#   3. the resident memory of the pod's runtime processes with 50 pods running (sleeping apps):
#      the supervisor (pod PID 1) and the relay (the `ace run` PID, which became stage1).
#
# Runs alternate in blocks of 3 for ROUNDS rounds (default 10: 30 runs each) after warm-ups,
# timed by hyperfine without a shell; medians, min..max, and ratios to crun and to the floor.
# Needs root, hyperfine, crun and busybox-static (all in DEB_PKGS).
set -eu
build=$(cd "${1:-build}" && pwd)
rounds=${2:-10}
ace=$build/ace
[ -x "$ace" ] && [ -f "$build/stage1.aci" ] || { echo "build ace and stage1.aci first (make)" >&2; exit 1; }
command -v hyperfine >/dev/null && command -v crun >/dev/null || { echo "needs hyperfine and crun" >&2; exit 1; }

work=$(mktemp -d /tmp/ace-bench-run-XXXXXX)
data=$work/data
cleanup() {
	for p in $(cat "$work/relays" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$ace" --dir="$data" gc --grace-period=0s >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

. "$(dirname "$0")/cgroup-v1-hybrid.sh"

# One busybox rootfs for all three.
rootfs=$work/layout/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for l in sh true sleep; do ln -s busybox "$rootfs/bin/$l"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
echo 'root:x:0:' > "$rootfs/etc/group"
cat > "$work/layout/manifest" <<'JSON'
{"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/true",
 "labels": [{"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
 "app": {"exec": ["/bin/true"], "user": "0", "group": "0"}}
JSON
tar -C "$work/layout" --numeric-owner --owner=0 --group=0 -czf "$work/true.aci" manifest rootfs
id=$("$ace" --dir="$data" fetch --full --insecure-options=image "$work/true.aci" 2>/dev/null | tail -n1)
case "$id" in sha512-*) ;; *) echo "fetch of the image failed" >&2; exit 1 ;; esac

for b in b1 b2; do
	mkdir -p "$work/$b"
	cp -a "$rootfs" "$work/$b/rootfs"
	(cd "$work/$b" && crun spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"/"\/bin\/true"/' config.json)
done

ace1="$ace --dir=$data run --net=none $id"
crun1="crun run --bundle $work/b1 ace-bench-c1"
unshare1="unshare -pnium --fork chroot $rootfs /bin/true"
ace2="$ace --dir=$data run --net=none $id --name=a $id --name=b"
# The cost of the walls: the same pod with every isolation layer a flag can drop (rkt's
# --insecure-options=all-run: capabilities, seccomp, paths; cgroups stay, they are accounting).
acewalls="$ace --dir=$data run --net=none --insecure-options=image,all-run $id"
crun2="sh -c 'crun run --bundle $work/b1 ace-bench-c1 & crun run --bundle $work/b2 ace-bench-c2; wait'"
unshare2="unshare -pnium --fork sh -c 'chroot $rootfs /bin/true & chroot $rootfs /bin/true; wait'"

measure() { # name command -> appends per-run seconds to $work/<name>.times
	hyperfine -N --runs 3 --export-json "$work/r.json" "$2" >/dev/null 2>&1
	tr -d ' \n' < "$work/r.json" | sed 's/.*"times":\[\([^]]*\)\].*/\1/' | tr ',' '\n' >> "$work/$1.times"
	echo >> "$work/$1.times"
}
median_ms() {
	grep . "$1" | sort -g | awk '{ v[NR] = $1 * 1000 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'
}
range_ms() {
	grep . "$1" | sort -g | awk '{ v[NR] = $1 * 1000 } END { printf "%.2f .. %.2f ms, n=%d", v[1], v[NR], NR }'
}

for n in ace1 acewalls crun1 unshare1 ace2 crun2 unshare2; do : > "$work/$n.times"; done
hyperfine -N --warmup 3 --runs 3 "$ace1" "$crun1" "$unshare1" >/dev/null 2>&1 || true
i=0
while [ $i -lt "$rounds" ]; do
	for n in ace1 acewalls crun1 unshare1 ace2 crun2 unshare2; do
		eval "cmd=\$$n"
		measure "$n" "$cmd"
	done
	i=$((i + 1))
done
"$ace" --dir="$data" gc --grace-period=0s >/dev/null 2>&1 || true

report() { # title ace crun unshare
	a=$(median_ms "$work/$2.times"); c=$(median_ms "$work/$3.times"); u=$(median_ms "$work/$4.times")
	echo "$1 ($(uname -r), $(nproc) CPUs): median, min..max"
	printf '  %-8s %8s ms   (%s)\n' ace "$a" "$(range_ms "$work/$2.times")"
	printf '  %-8s %8s ms   (%s)\n' crun "$c" "$(range_ms "$work/$3.times")"
	printf '  %-8s %8s ms   (%s)\n' unshare "$u" "$(range_ms "$work/$4.times")"
	echo "  ratios: ace/crun $(echo "$a $c" | awk '{printf "%.2f", $1/$2}'), ace/unshare $(echo "$a $u" | awk '{printf "%.2f", $1/$2}')"
}
report "ace run of a /bin/true app, one app" ace1 crun1 unshare1
report "two apps in one pod (two crun containers, two chroots)" ace2 crun2 unshare2
a=$(median_ms "$work/ace1.times"); w=$(median_ms "$work/acewalls.times")
echo "the cost of the walls: ace run, default isolation vs --insecure-options=all-run (one app)"
printf '  %-8s %8s ms   (%s)\n' default "$a" "$(range_ms "$work/ace1.times")"
printf '  %-8s %8s ms   (%s)\n' all-run "$w" "$(range_ms "$work/acewalls.times")"
echo "  walls: $(echo "$a $w" | awk '{printf "%+.2f ms (%.2fx)", $1-$2, $1/$2}')"

# 3. Memory of the runtime side of 50 running pods.
: > "$work/relays"
n=0
while [ $n -lt 50 ]; do
	"$ace" --dir="$data" run --net=none "$id" --exec=/bin/sleep -- 3600 >/dev/null 2>&1 &
	echo $! >> "$work/relays"
	n=$((n + 1))
done
tries=0
while [ "$("$ace" --dir="$data" list --no-legend | grep -c running)" -lt 50 ] && [ $tries -lt 600 ]; do
	sleep 0.1; tries=$((tries + 1))
done
sleep 1
: > "$work/sup.rss"; : > "$work/relay.rss"; : > "$work/sup.pss"; : > "$work/relay.pss"
for pidfile in "$data"/pods/run/*/pid; do
	sup=$(cat "$pidfile")
	awk '/^VmRSS/ {print $2}' "/proc/$sup/status" >> "$work/sup.rss"
	awk '/^Pss:/ {print $2}' "/proc/$sup/smaps_rollup" >> "$work/sup.pss"
done
for relay in $(cat "$work/relays"); do
	awk '/^VmRSS/ {print $2}' "/proc/$relay/status" >> "$work/relay.rss" 2>/dev/null || true
	awk '/^Pss:/ {print $2}' "/proc/$relay/smaps_rollup" >> "$work/relay.pss" 2>/dev/null || true
done
stat_kib() {
	sort -n "$1" | awk '{ v[NR] = $1; s += $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %d KiB, min %d, max %d, total %.1f MiB over %d", m, v[1], v[NR], s / 1024, NR }'
}
echo "resident memory with 50 pods running (VmRSS counts shared pages in every process; Pss splits them)"
echo "  supervisor (pod PID 1)  RSS: $(stat_kib "$work/sup.rss")"
echo "  supervisor (pod PID 1)  PSS: $(stat_kib "$work/sup.pss")"
echo "  relay (the ace run PID) RSS: $(stat_kib "$work/relay.rss")"
echo "  relay (the ace run PID) PSS: $(stat_kib "$work/relay.pss")"
