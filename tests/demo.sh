#!/bin/sh
# demo.sh [BUILD] - `make demo`: build a small busybox image and run it in a pod.
#
# Builds an ACI from Debian's busybox-static (with our actool when it has `build`, else as a
# plain gzip'd tar of manifest + rootfs/, which is what an ACI is), runs it with `ace run` in a
# private data directory, shows `ace list` and `ace status`, and cleans up with `ace gc`.
# Needs root (pods use namespaces and mounts).
set -eu

build=${1:-build}
ace="$build/ace"
actool="$build/actool"

if [ "$(id -u)" != 0 ]; then
	echo "demo: pods need root; run 'sudo make demo'" >&2
	exit 1
fi
[ -x "$ace" ] || { echo "demo: $ace not built (run make)" >&2; exit 1; }
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "demo: busybox not found (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d /tmp/ace-demo.XXXXXX)
data="$work/data"
cleanup() {
	"$ace" --dir="$data" gc --grace-period=0s >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The image: busybox and a few applets, an app that introduces itself.
layout="$work/layout"
mkdir -p "$layout/rootfs/bin" "$layout/rootfs/etc"
cp "$busybox" "$layout/rootfs/bin/busybox"
for applet in sh echo cat hostname uname ls id date; do
	ln -s busybox "$layout/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/:/bin/sh' >"$layout/rootfs/etc/passwd"
echo 'root:x:0:' >"$layout/rootfs/etc/group"
cat >"$layout/manifest" <<'JSON'
{
    "acKind": "ImageManifest",
    "acVersion": "0.8.11",
    "name": "example.com/ace-demo",
    "labels": [
        {"name": "version", "value": "1.0"},
        {"name": "os", "value": "linux"},
        {"name": "arch", "value": "amd64"}
    ],
    "app": {
        "exec": ["/bin/sh", "-c", "echo; echo '  Hello from an ace pod!'; echo \"  hostname: $(hostname)\"; echo \"  I am: $(id)\"; echo \"  my root holds: $(ls / | tr '\\n' ' ')\"; echo \"  pid 1 of the pod is my supervisor, I am pid $$\"; echo"],
        "user": "0",
        "group": "0",
        "environment": [{"name": "PATH", "value": "/bin"}]
    }
}
JSON
aci="$work/ace-demo.aci"
if [ -x "$actool" ] && "$actool" help build >/dev/null 2>&1; then
	"$actool" build "$layout" "$aci"
else
	tar -C "$layout" --numeric-owner --owner=0 --group=0 -czf "$aci" manifest rootfs
fi
echo "demo: built $aci ($(du -k "$aci" | cut -f1) KiB)"

echo "demo: ace run --insecure-options=image $aci"
"$ace" --dir="$data" run --insecure-options=image --hostname=ace-demo "$aci"
echo "demo: the pod exited with status $?"

echo "demo: ace list"
"$ace" --dir="$data" list
uuid=$("$ace" --dir="$data" list --no-legend --full | cut -f1 | head -n1)
echo "demo: ace status $uuid"
"$ace" --dir="$data" status "$uuid"
echo "demo: ace gc --grace-period=0s"
"$ace" --dir="$data" gc --grace-period=0s
