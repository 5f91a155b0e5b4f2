#!/bin/sh
# bench/actool.sh BUILD_DIR - actool build and validate of a ~100 MB rootfs, side by side with
# the reference actool (Debian appc-spec) and the floor pipeline `tar | gzip | sha512sum`, in
# one hyperfine run per operation (same machine state, interleaved warmups). Prints markdown
# tables; bench/README.md records the figures.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
ACTOOL="$BUILD/actool"
REF=/usr/bin/actool
RUNS=${RUNS:-7}
W=$(mktemp -d /tmp/ace-bench-actool.XXXXXX)
trap 'rm -rf "$W"' EXIT

# A ~100 MB rootfs from this machine's own files (libraries, binaries, docs), the same
# selection on every run: files in sorted order until 100 MB.
mkdir -p "$W/layout/rootfs"
find /usr/lib/x86_64-linux-gnu /usr/bin /usr/share/doc -xdev \( -type f -o -type l \) \
    -printf '%s\t%p\n' 2>/dev/null | LC_ALL=C sort -t "$(printf '\t')" -k2 |
    awk -F'\t' '{ t += $1; if (t > 100000000) exit; print $2 }' >"$W/files"
tar -cf - -P -T "$W/files" 2>/dev/null | tar -C "$W/layout/rootfs" -xf - --strip-components=1
cat >"$W/layout/manifest" <<'JSON'
{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bench","app":{"exec":["/bin/true"],"user":"0","group":"0"}}
JSON
SIZE=$(du -sm "$W/layout/rootfs" | cut -f1)
echo "# actool build / validate of a ${SIZE} MB rootfs ($(find "$W/layout/rootfs" | wc -l) entries), $RUNS runs"
echo

cd "$W"
echo "## build (gzip)"
hyperfine --style basic --runs "$RUNS" --warmup 1 --export-markdown build.md \
    -n "ace actool build" "$ACTOOL build --overwrite layout ours.aci" \
    -n "reference actool build" "$REF build --overwrite layout ref.aci" \
    -n "floor: tar | gzip | tee | sha512sum" \
    "tar -C layout -cf - manifest rootfs | gzip -c | tee floor.aci | sha512sum >/dev/null" \
    >/dev/null
cat build.md
echo
echo "## validate (gzip ACI built by each tool)"
hyperfine --style basic --runs "$RUNS" --warmup 1 --export-markdown validate.md \
    -n "ace actool validate" "$ACTOOL validate ours.aci" \
    -n "reference actool validate" "$REF validate ref.aci" \
    -n "floor: gzip -dc | sha512sum" "gzip -dc ours.aci | sha512sum >/dev/null" \
    >/dev/null
cat validate.md
