#!/bin/sh
# bench/run.sh [BUILD] - `make bench`: runs every per-area benchmark script of bench/ that
# exists, in a fixed order, each with the build directory; a failing one is reported and the
# others still run. Results are discussed in bench/README.md.
#
#   actool.sh       actool build and validate of a ~100 MB rootfs vs reference actool and floor
#   archive.sh      read + hash + extract of a ~100 MB ACI vs gzip -dc | tee sha512sum | bsdtar
#   store.sh        import + first render vs the same floor pipeline
#   fetch.sh        ace fetch over HTTPS vs curl | gzip -dc | sha512sum
#   run-latency.sh  stage1 run of a prepared pod vs crun vs unshare (stage1 alone)
#   pod-run.sh      ace run end to end (stage0 + stage1) vs crun vs unshare; two-app pods;
#                   supervisor memory with 50 pods
#   net.sh          start and teardown cost of --net=default / default-restricted vs none
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
failed=""
for script in actool.sh archive.sh store.sh fetch.sh run-latency.sh pod-run.sh net.sh; do
	[ -f "$here/$script" ] || continue
	echo "=== bench/$script"
	if ! sh "$here/$script" "$build"; then
		echo "bench/$script failed" >&2
		failed="$failed $script"
	fi
	echo
done
if [ -n "$failed" ]; then
	echo "failed:$failed" >&2
	exit 1
fi
