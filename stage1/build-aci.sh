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
cp "$stage1" "$layout/rootfs/init"
for ep in enter gc stop; do ln "$layout/rootfs/init" "$layout/rootfs/$ep"; done
cp "$stage2" "$layout/rootfs/stage2"
rm -f "$out"
# (`actool help build` fails while actool/ holds only the discover verb's stand-in main.)
if [ -x "$actool" ] && "$actool" help build >/dev/null 2>&1; then
	"$actool" build --overwrite "$layout" "$out"
else
	tar -C "$layout" --numeric-owner --owner=0 --group=0 -czf "$out" manifest rootfs
fi
