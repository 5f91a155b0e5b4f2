# Sourced by the bench scripts that time crun. crun refuses a "hybrid" host whose cgroup2 mount
# still offers controllers (here: hugetlb): give each such controller a v1 hierarchy under
# /sys/fs/cgroup, as on the reference machine of perf.md (9 v1 hierarchies). /sys/fs/cgroup is
# often a read-only tmpfs: it is made writable for the mkdir and read-only again.
if [ -s /sys/fs/cgroup/unified/cgroup.controllers ]; then
	for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers); do
		echo "bench: mounting a cgroup v1 hierarchy for $c (crun needs no controllers on cgroup2)" >&2
		if [ ! -d "/sys/fs/cgroup/$c" ]; then
			mkdir "/sys/fs/cgroup/$c" 2>/dev/null ||
				{ mount -o remount,rw /sys/fs/cgroup && mkdir "/sys/fs/cgroup/$c"; mount -o remount,ro /sys/fs/cgroup; }
		fi
		mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" ||
			echo "bench: could not mount $c: crun rows will fail" >&2
	done
fi
