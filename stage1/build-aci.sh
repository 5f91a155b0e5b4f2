#!/bin/sh
# build-aci.sh BUILD ACTOOL STAGE1_BIN STAGE2_BIN OUT.aci
#
# Lays out the stage1 image (manifest + rootfs with the multicall binary as /init, /enter,
# /gc, /stop -- hard links -- and /stage2) and packs it. With our actool built it uses
# `actool build`; until then (or if it fails to exist) a plain tar + gzip of the same layout,
# which is a valid ACI for the reader (an uncompressed tar of manifest + rootfs/).
set -eu
build=$1 actool=$2 stage1=$3 stage2=$4 out=$5
version=$(sed -n 's/^VERSION := //p' Makefile)
layout=$build/stage1-layout
rm -rf "$layout"
mkdir -p "$layout/rootfs"
sed "s/@VERSION@/${version:-0.0.0}/" stage1/aci-manifest.json > "$layout/manifest"
# Stripped: run and enter re-execute stage1, and every pod execs stage2, from sealed in-memory
# copies (CVE-2019-5736), whose cost is the copy: half the size, half the cost. The build tree
# keeps the unstripped binaries for debugging.
strip -o "$layout/rootfs/init" "$stage1" 2>/dev/null || cp "$stage1" "$layout/rootfs/init"
for ep in enter gc stop; do ln "$layout/rootfs/init" "$layout/rootfs/$ep"; done
strip -o "$layout/rootfs/stage2" "$stage2" 2>/dev/null || cp "$stage2" "$layout/rootfs/stage2"
rm -f "$out"
# (`actool help build` fails while actool/ holds only the discover verb's stand-in main.)
if [ -x "$actool" ] && "$actool" help build >/dev/null 2>&1; then
	"$actool" build --overwrite "$layout" "$out"
else
	tar -C "$layout" --numeric-owner --owner=0 --group=0 -czf "$out" manifest rootfs
fi
