#!/bin/sh
# bench/net.sh [BUILD] [ROUNDS] - what a pod network costs per pod, start and teardown:
#
#   ace --dir=D run --net=N ID --exec=/probe -- time     for N in none, default-restricted, default
#
# The app prints the wall clock the moment it runs; the shell takes the wall clock before
# `ace run` starts and after it exits. start = app time - before (stage0, stage1, the network,
# the app's exec), stop = after - app time (the app's exit, the supervisor, the network's
# teardown, exit). Each round runs the three networks once, in rotating order; medians over
# ROUNDS (default 30). The difference to --net=none is the network's cost, to be read next to
# reference/perf.md §2 (CNI plugins called by hand: ptp ADD ~9 ms, DEL ~35 ms, netns-first
# teardown ~26 ms over an empty netns).
#
#   default             ptp + host-local + ipMasq: its DEL needs the namespace (the masquerade
#                       rules are found through the container interface), so the veth is
#                       deleted synchronously inside the plugin
#   default-restricted  ptp + host-local, no masquerade: the namespace goes first, the kernel
#                       destroys the veth asynchronously, the DEL only frees the lease
# Needs root and the CNI plugins (containernetworking-plugins).
set -eu
build=$(cd "${1:-build}" && pwd)
rounds=${2:-30}
ace=$build/ace
probe=$build/tests/probe
[ -x "$ace" ] && [ -x "$probe" ] && [ -f "$build/stage1.aci" ] || {
	echo "build ace, stage1.aci and tests/probe first (make)" >&2; exit 1; }
[ -x /usr/lib/cni/ptp ] || { echo "needs containernetworking-plugins" >&2; exit 1; }

work=$(mktemp -d /tmp/ace-bench-net-XXXXXX)
data=$work/data
trap '"$ace" --dir="$data" gc --grace-period=0s >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mkdir -p "$work/layout/rootfs"
cp "$probe" "$work/layout/rootfs/probe"
cat > "$work/layout/manifest" <<'JSON'
{"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/netbench",
 "labels": [{"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
 "app": {"exec": ["/probe", "time"], "user": "0", "group": "0"}}
JSON
tar -C "$work/layout" --numeric-owner --owner=0 --group=0 -czf "$work/n.aci" manifest rootfs
id=$("$ace" --dir="$data" fetch --full --insecure-options=image "$work/n.aci" 2>/dev/null | tail -n1)
case "$id" in sha512-*) ;; *) echo "fetch of the image failed" >&2; exit 1 ;; esac

nets="none default-restricted default"
one() { # net -> appends "start_ms stop_ms" to $work/<net>
	t0=$(date +%s%N)
	out=$("$ace" --dir="$data" run --net="$1" "$id" 2>/dev/null)
	t1=$(date +%s%N)
	ta=$(echo "$out" | sed -n 's/^time.real_ns=//p')
	[ -n "$ta" ] || { echo "run --net=$1 failed" >&2; exit 1; }
	echo "$t0 $ta $t1" | awk '{ printf "%.3f %.3f\n", ($2 - $1) / 1e6, ($3 - $2) / 1e6 }' \
		>> "$work/$1"
}
for n in $nets; do : > "$work/$n"; one "$n"; one "$n"; : > "$work/$n"; done # warm-up
i=0
while [ $i -lt "$rounds" ]; do
	case $((i % 3)) in
	0) order="none default-restricted default" ;;
	1) order="default-restricted default none" ;;
	*) order="default none default-restricted" ;;
	esac
	for n in $order; do one "$n"; done
	i=$((i + 1))
done
"$ace" --dir="$data" gc --grace-period=0s >/dev/null 2>&1 || true

median() { # file column
	awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'
}
range() {
	awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
		printf "%.1f..%.1f", v[1], v[NR] }'
}
echo "pod network cost per pod ($(uname -r), $(nproc) CPUs, $rounds runs each): median ms (min..max)"
printf '  %-20s %-22s %-22s %s\n' "--net=" start stop total
s0=$(median "$work/none" 1); e0=$(median "$work/none" 2)
for n in $nets; do
	s=$(median "$work/$n" 1); e=$(median "$work/$n" 2)
	printf '  %-20s %-22s %-22s %s\n' "$n" "$s ($(range "$work/$n" 1))" \
		"$e ($(range "$work/$n" 2))" "$(echo "$s $e" | awk '{ printf "%.2f", $1 + $2 }')"
done
for n in default-restricted default; do
	s=$(median "$work/$n" 1); e=$(median "$work/$n" 2)
	echo "  $n over none: start +$(echo "$s $s0" | awk '{ printf "%.2f", $1 - $2 }') ms," \
		"teardown +$(echo "$e $e0" | awk '{ printf "%.2f", $1 - $2 }') ms"
done
