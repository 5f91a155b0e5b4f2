#!/bin/sh
# bench/store.sh - importing a ~100 MB ACI (gzip and xz) into the store plus its first render,
# against the floor pipeline `DECOMPRESS -dc | tee >(sha512sum) | bsdtar -x` on the same file,
# alternating the two, N runs each, medians of wall time and of CPU time (user + sys, all
# threads and processes) (reference/perf.md §3). Wall time needs a quiet machine; CPU time
# is what the work costs whatever else runs.
#
#   sh bench/store.sh [BUILD_DIR]      env: N=5, BENCH_DIR=/tmp (where data and output go;
#                                      a tmpfs gives stable numbers, a disk real ones)
set -eu
BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
N=${N:-5}
BENCH_DIR=${BENCH_DIR:-/tmp}
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d "$BENCH_DIR/ace-bench-store.XXXXXX")
trap 'rm -rf "$W"' EXIT

# The driver, linked like the tests are.
PKGS="json-c libarchive openssl sqlite3"
cc -O2 -I"$SRC" -D_GNU_SOURCE -o "$W/store_import" "$SRC/bench/store_import.c" \
        "$BUILD/libace-stage0.a" "$BUILD/libace.a" $(pkg-config --libs $PKGS) -lpthread

# A ~100 MB rootfs from this machine: python's stdlib (many small files) + /usr/libexec
# (binaries), as an ACI (manifest first) in gzip -6 and xz -6.
mkdir -p "$W/layout/rootfs/usr/lib" "$W/layout/rootfs/usr"
cp -a /usr/lib/python3.11 "$W/layout/rootfs/usr/lib/"
cp -a /usr/libexec "$W/layout/rootfs/usr/"
cat > "$W/layout/manifest" <<'M'
{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bench","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}
M
(cd "$W/layout" && bsdtar -cf "$W/bench.tar" manifest rootfs)
gzip -6 -c "$W/bench.tar" > "$W/bench.aci.gz"
xz -6 -T1 -c "$W/bench.tar" > "$W/bench.aci.xz"
rm -rf "$W/layout"
echo "image: $(du -m "$W/bench.tar" | cut -f1) MB tar, $(tar -tf "$W/bench.tar" | wc -l) entries;" \
     "gzip $(du -m "$W/bench.aci.gz" | cut -f1) MB, xz $(du -m "$W/bench.aci.xz" | cut -f1) MB;" \
     "data in $BENCH_DIR ($(stat -f -c %T "$BENCH_DIR")); $(nproc) CPUs; load $(cut -d' ' -f1 /proc/loadavg)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Runs a command under GNU time; appends wall ms and cpu ms to $1.wall and $1.cpu.
timed() {
        out=$1; shift
        /usr/bin/time -f '%e %U %S' -o "$W/t" "$@" > /dev/null
        awk '{printf "%d\n", $1 * 1000}' "$W/t" >> "$out.wall"
        awk '{printf "%d\n", ($2 + $3) * 1000}' "$W/t" >> "$out.cpu"
}

for comp in gz xz; do
        f="$W/bench.aci.$comp"
        dec=gzip; [ $comp = xz ] && dec=xz
        for k in floor one two; do : > "$W/$k.$comp.wall"; : > "$W/$k.$comp.cpu"; done
        i=-1   # run -1 warms the page cache and is not counted
        while [ $i -lt "$N" ]; do
                rm -rf "$W/out" "$W/data"; mkdir "$W/out"
                timed "$W/floor.$comp" bash -c "$dec -dc '$f' | tee >(sha512sum > /dev/null) | bsdtar -xf - -C '$W/out'"
                rm -rf "$W/out" "$W/data"
                timed "$W/one.$comp" "$W/store_import" "$W/data" "$f"
                rm -rf "$W/data"
                timed "$W/two.$comp" env TWO_PASS=1 "$W/store_import" "$W/data" "$f"
                if [ $i -lt 0 ]; then
                        for k in floor one two; do : > "$W/$k.$comp.wall"; : > "$W/$k.$comp.cpu"; done
                fi
                i=$((i + 1))
        done
        for k in floor one two; do
                eval "${k}_wall=\$(median < \"\$W/$k.$comp.wall\")"
                eval "${k}_cpu=\$(median < \"\$W/$k.$comp.cpu\")"
        done
        printf '%s, N=%s, medians (wall ms / cpu ms):\n' "$comp" "$N"
        printf '  floor  %s -dc | tee >(sha512sum) | bsdtar -x     %6s / %6s\n' "$dec" "$floor_wall" "$floor_cpu"
        printf '  ace    import + render in one pass            %6s / %6s   (%s x floor wall, %s x floor cpu)\n' \
                "$one_wall" "$one_cpu" "$(echo "$one_wall $floor_wall" | awk '{printf "%.2f", $1/$2}')" \
                "$(echo "$one_cpu $floor_cpu" | awk '{printf "%.2f", $1/$2}')"
        printf '  ace    import, then render from the blob      %6s / %6s\n' "$two_wall" "$two_cpu"
done
echo "load after: $(cut -d' ' -f1 /proc/loadavg)"
