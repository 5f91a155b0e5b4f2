#!/bin/sh
# bench/store.sh - importing a ~100 MB ACI (gzip and xz) into the store plus its first render,
# against the floor pipeline `DECOMPRESS | tee >(sha512sum) | bsdtar -x` on the same file,
# alternating the two, N runs each, medians (reference/perf.md §3).
#
#   sh bench/store.sh [BUILD_DIR]      env: N=5, BENCH_DIR=/tmp (where data and output go;
#                                      use a tmpfs for stable numbers, a disk for real ones)
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
     "data in $BENCH_DIR ($(stat -f -c %T "$BENCH_DIR"))"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

floor() { # $1 = decompressor, $2 = file
        rm -rf "$W/out"; mkdir "$W/out"
        t0=$(now_ms)
        $1 -dc "$2" | tee "$W/fifo" | bsdtar -xf - -C "$W/out" &
        sha512sum < "$W/fifo" > /dev/null
        wait
        t1=$(now_ms)
        echo $((t1 - t0))
}

ours() { # $1 = file; prints "import render total"
        rm -rf "$W/data"
        "$W/store_import" "$W/data" "$1"
}

ours2() { # the same in two passes (import, then render from the blob)
        rm -rf "$W/data"
        TWO_PASS=1 "$W/store_import" "$W/data" "$1"
}

for comp in gz xz; do
        f="$W/bench.aci.$comp"
        dec=gzip; [ $comp = xz ] && dec=xz
        rm -f "$W/fifo"; mkfifo "$W/fifo"
        : > "$W/floor.$comp"; : > "$W/import.$comp"; : > "$W/render.$comp"; : > "$W/total.$comp"
        : > "$W/import2.$comp"; : > "$W/render2.$comp"
        floor $dec "$f" > /dev/null; ours "$f" > /dev/null   # warm the page cache
        i=0
        while [ $i -lt "$N" ]; do
                floor $dec "$f" >> "$W/floor.$comp"
                set -- $(ours "$f")
                echo "$1" >> "$W/import.$comp"; echo "$2" >> "$W/render.$comp"; echo "$3" >> "$W/total.$comp"
                set -- $(ours2 "$f")
                echo "$1" >> "$W/import2.$comp"; echo "$2" >> "$W/render2.$comp"
                i=$((i + 1))
        done
        fl=$(median < "$W/floor.$comp"); im=$(median < "$W/import.$comp")
        re=$(median < "$W/render.$comp"); to=$(median < "$W/total.$comp")
        printf '%s: floor (%s -dc | tee >(sha512sum) | bsdtar -x) %s ms; ace import+render in one pass %s ms (+ %s ms to find the tree) = %s ms (%s x floor); two passes: import %s ms + render %s ms; N=%s\n' \
                "$comp" "$dec" "$fl" "$im" "$re" "$to" "$(echo "$to $fl" | awk '{printf "%.2f", $1/$2}')" \
                "$(median < "$W/import2.$comp")" "$(median < "$W/render2.$comp")" "$N"
done
