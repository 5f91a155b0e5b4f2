#!/bin/sh
# bench/archive.sh - common/tar against the shell pipeline floor (perf.md §3d).
#
# Builds a ~100 MB rootfs from this machine's /usr, writes it as gzip and xz ACIs with our
# writer, then compares, on tmpfs (/dev/shm), N runs each (hyperfine, medians):
#   ace:   archive_bench extract  = magic check + decompress + sha512 + validate + extract (1 pass)
#   floor: gzip -dc | tee >(sha512sum) | bsdtar -x  (3 processes; xz -dc for xz)
# and checks both produce the same image ID. Usage: sh bench/archive.sh [BUILD_DIR] [RUNS]
set -eu
BUILD=${1:-build}
RUNS=${2:-5}
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/dev/shm/ace-bench-archive}
BIN=$WORK/archive_bench

command -v hyperfine >/dev/null || { echo "hyperfine missing (make deps)"; exit 1; }
mkdir -p "$WORK"
cc -O2 -I"$SRC" -D_GNU_SOURCE -o "$BIN" "$SRC/bench/archive_bench.c" "$SRC/$BUILD/libace.a" \
	$(pkg-config --libs libarchive openssl)

# ~100 MB of real files (Python's stdlib and packages: many small files, some large ones;
# sizes differ slightly per machine).
if [ ! -f "$WORK/layout/manifest" ]; then
	rm -rf "$WORK/layout"
	mkdir -p "$WORK/layout/rootfs/usr"
	printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"bench/usr"}' > "$WORK/layout/manifest"
	for d in /usr/lib/python3.11 /usr/lib/python3/dist-packages; do
		[ -d "$d" ] && cp -a --parents "$d" "$WORK/layout/rootfs" 2>/dev/null || true
	done
fi
echo "rootfs: $(du -sm "$WORK/layout/rootfs" | cut -f1) MB, $(find "$WORK/layout/rootfs" | wc -l) entries"

for c in gzip xz; do
	[ -f "$WORK/usr.$c.aci" ] || "$BIN" write "$WORK/layout" "$WORK/usr.$c.aci" "$c" >/dev/null
done
"$BIN" write "$WORK/layout" "$WORK/usr.none.aci" none >/dev/null
echo "tar: $(du -m "$WORK/usr.none.aci" | cut -f1) MB; gzip: $(du -m "$WORK/usr.gzip.aci" | cut -f1) MB; xz: $(du -m "$WORK/usr.xz.aci" | cut -f1) MB"

for c in gzip xz; do
	aci=$WORK/usr.$c.aci
	dec="gzip -dc"
	[ "$c" = xz ] && dec="xz -dc -T1"
	# Same image ID from both sides.
	ours=$("$BIN" scan "$aci")
	theirs=sha512-$($dec "$aci" | sha512sum | cut -d' ' -f1)
	[ "$ours" = "$theirs" ] || { echo "image ID mismatch for $c: $ours vs $theirs"; exit 1; }
	echo "== $c: image ID matches ($ours)"
	rm -rf "$WORK/x" && mkdir "$WORK/x"
	hyperfine -N --runs "$RUNS" --warmup 1 --export-markdown "$WORK/$c.md" \
		--prepare "sh -c 'rm -rf $WORK/x && mkdir $WORK/x'" \
		-n "ace extract ($c)" "$BIN extract $aci $WORK/x" \
		-n "ace scan only ($c)" "$BIN scan $aci" \
		-n "floor: $dec | tee >(sha512sum) | bsdtar -x" \
		"bash -c 'set -o pipefail; $dec $aci | tee >(sha512sum >/dev/null) | bsdtar -x -C $WORK/x -f -'"
	cat "$WORK/$c.md"
done
rm -rf "$WORK/x"
