/*
 * probe.c - the static test binary baked into every test image (at /probe).
 *
 * In the spirit of crun's tests/init.c, rkt's inspect and bubblewrap's try-syscall: it runs a
 * sequence of actions given on the command line, in order, and reports what it saw as
 * machine-readable `key=value` lines on stdout (one write(2) per line, so nothing is lost when
 * the process is killed and lines from several apps never interleave mid-line):
 *
 *   probe id status ns hostname                      # identity and isolation state
 *   probe write /tmp/x hello read /tmp/x exit 3      # file work, then exit code 3
 *   probe syscall mount                              # errno of a syscall (seccomp tests)
 *
 * Errors are reported as values (`read.errno=ENOENT`), never as a crash, so a test can assert
 * on a failing operation. Unknown actions exit 99 with a message on stderr. It uses only libc and
 * raw syscalls, and is linked -static so it runs in any rootfs.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROBE_LINE_MAX 8192

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
        char buf[PROBE_LINE_MAX];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n > sizeof(buf) - 2)
                n = (int)sizeof(buf) - 2;
        buf[n++] = '\n';
        for (int off = 0; off < n;) {
                ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                off += (int)w;
        }
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
        char buf[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        dprintf(STDERR_FILENO, "probe: %s\n", buf);
        _exit(99);
}

/* ---- errno names: tests assert on names, not numbers ---------------------------------------- */

struct errno_name {
        int code;
        const char *name;
};

static const struct errno_name errno_names[] = {
    {0, "0"},
    {EPERM, "EPERM"},
    {ENOENT, "ENOENT"},
    {ESRCH, "ESRCH"},
    {EINTR, "EINTR"},
    {EIO, "EIO"},
    {ENXIO, "ENXIO"},
    {E2BIG, "E2BIG"},
    {ENOEXEC, "ENOEXEC"},
    {EBADF, "EBADF"},
    {ECHILD, "ECHILD"},
    {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"},
    {EXDEV, "EXDEV"},
    {ENODEV, "ENODEV"},
    {ENOTDIR, "ENOTDIR"},
    {EISDIR, "EISDIR"},
    {EINVAL, "EINVAL"},
    {ENFILE, "ENFILE"},
    {EMFILE, "EMFILE"},
    {ENOTTY, "ENOTTY"},
    {ETXTBSY, "ETXTBSY"},
    {EFBIG, "EFBIG"},
    {ENOSPC, "ENOSPC"},
    {ESPIPE, "ESPIPE"},
    {EROFS, "EROFS"},
    {EMLINK, "EMLINK"},
    {EPIPE, "EPIPE"},
    {ERANGE, "ERANGE"},
    {ENAMETOOLONG, "ENAMETOOLONG"},
    {ENOSYS, "ENOSYS"},
    {ENOTEMPTY, "ENOTEMPTY"},
    {ELOOP, "ELOOP"},
    {EXFULL, "EXFULL"},
    {EMULTIHOP, "EMULTIHOP"},
    {ENOTSUP, "ENOTSUP"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {EADDRINUSE, "EADDRINUSE"},
};

static const char *errno_name(int code)
{
        static char buf[32];

        for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
                if (errno_names[i].code == code)
                        return errno_names[i].name;
        snprintf(buf, sizeof(buf), "%d", code);
        return buf;
}

/* ---- syscalls by name (x86_64 numbers from <sys/syscall.h>) ------------------------------------
 */

struct syscall_name {
        const char *name;
        long nr;
};

static const struct syscall_name syscall_names[] = {
    {"acct", SYS_acct},
    {"add_key", SYS_add_key},
    {"adjtimex", SYS_adjtimex},
    {"bpf", SYS_bpf},
    {"chroot", SYS_chroot},
    {"clock_adjtime", SYS_clock_adjtime},
    {"clock_settime", SYS_clock_settime},
    {"clone3", SYS_clone3},
    {"delete_module", SYS_delete_module},
    {"finit_module", SYS_finit_module},
    {"fsopen", SYS_fsopen},
    {"getpid", SYS_getpid},
    {"getppid", SYS_getppid},
    {"init_module", SYS_init_module},
    {"io_uring_setup", SYS_io_uring_setup},
    {"ioperm", SYS_ioperm},
    {"iopl", SYS_iopl},
    {"kexec_file_load", SYS_kexec_file_load},
    {"kexec_load", SYS_kexec_load},
    {"keyctl", SYS_keyctl},
    {"lookup_dcookie", SYS_lookup_dcookie},
    {"mkdir", SYS_mkdir},
    {"mknod", SYS_mknod},
    {"mount", SYS_mount},
    {"move_mount", SYS_move_mount},
    {"name_to_handle_at", SYS_name_to_handle_at},
    {"open_by_handle_at", SYS_open_by_handle_at},
    {"open_tree", SYS_open_tree},
    {"perf_event_open", SYS_perf_event_open},
    {"pivot_root", SYS_pivot_root},
    {"ptrace", SYS_ptrace},
    {"quotactl", SYS_quotactl},
    {"reboot", SYS_reboot},
    {"request_key", SYS_request_key},
    {"sethostname", SYS_sethostname},
    {"setns", SYS_setns},
    {"settimeofday", SYS_settimeofday},
    {"swapoff", SYS_swapoff},
    {"swapon", SYS_swapon},
    {"syslog", SYS_syslog},
    {"umount2", SYS_umount2},
    {"uname", SYS_uname},
    {"unshare", SYS_unshare},
    {"userfaultfd", SYS_userfaultfd},
    {"vhangup", SYS_vhangup},
};

/* i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl), for `syscall32`: the same request
 * through the 32-bit ABI (int $0x80), which a filter for x86-64 alone would not see. */
static const struct syscall_name syscall32_names[] = {
    {"acct", 51},
    {"bpf", 357},
    {"chroot", 61},
    {"clock_settime", 264},
    {"getpid", 20},
    {"getuid32", 199},
    {"init_module", 128},
    {"kexec_load", 283},
    {"keyctl", 288},
    {"mount", 21},
    {"open_by_handle_at", 342},
    {"perf_event_open", 336},
    {"pivot_root", 217},
    {"ptrace", 26},
    {"reboot", 88},
    {"setns", 346},
    {"settimeofday", 79},
    {"stime", 25},
    {"swapon", 87},
    {"umount2", 52},
    {"uname", 122},
    {"unshare", 310},
    {"userfaultfd", 374},
    {"vm86", 166},
};

static long syscall_lookup_in(const struct syscall_name *table, size_t n, const char *name)
{
        char *end;
        long nr;

        for (size_t i = 0; i < n; i++)
                if (strcmp(table[i].name, name) == 0)
                        return table[i].nr;
        errno = 0;
        nr = strtol(name, &end, 10);
        if (errno || *end || end == name || nr < 0)
                die("unknown syscall %s", name);
        return nr;
}

static long syscall_lookup(const char *name)
{
        return syscall_lookup_in(syscall_names, sizeof(syscall_names) / sizeof(syscall_names[0]),
                                 name);
}

/* ---- helpers -------------------------------------------------------------------------------- */

static long parse_long(const char *s, const char *what)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 0);
        if (errno || *end || end == s)
                die("%s: not a number: %s", what, s);
        return v;
}

/* Reads a whole small file into a static buffer (NUL-terminated); returns NULL with errno set. */
static char *slurp(const char *path, size_t *len)
{
        static char buf[1 << 20];
        size_t n = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return NULL;
        for (;;) {
                ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        int saved = errno;
                        close(fd);
                        errno = saved;
                        return NULL;
                }
                if (r == 0 || n + (size_t)r >= sizeof(buf) - 1) {
                        n += (size_t)r;
                        break;
                }
                n += (size_t)r;
        }
        close(fd);
        buf[n] = 0;
        if (len)
                *len = n;
        return buf;
}

/* Escapes newlines and backslashes so a value always stays on one line. */
static const char *oneline(const char *s, size_t len)
{
        static char buf[PROBE_LINE_MAX / 2];
        size_t o = 0;

        for (size_t i = 0; i < len && o + 3 < sizeof(buf); i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '\n') {
                        buf[o++] = '\\';
                        buf[o++] = 'n';
                } else if (c == '\\') {
                        buf[o++] = '\\';
                        buf[o++] = '\\';
                } else if (c < 0x20 || c == 0x7f) {
                        buf[o++] = '?';
                } else {
                        buf[o++] = (char)c;
                }
        }
        buf[o] = 0;
        return buf;
}

/* ---- actions ----------------------------------------------------------------------------------
 */

static void act_pid(void)
{
        out("pid=%d", (int)getpid());
        out("ppid=%d", (int)getppid());
        out("pgid=%d", (int)getpgrp());
        out("sid=%d", (int)getsid(0));
}

static void act_ns(void)
{
        static const char *const names[] = {"cgroup", "ipc",  "mnt",  "net",
                                            "pid",    "time", "user", "uts"};

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                char path[64];
                struct stat st;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
                if (stat(path, &st) < 0)
                        out("ns.%s.errno=%s", names[i], errno_name(errno));
                else
                        out("ns.%s=%llu", names[i], (unsigned long long)st.st_ino);
        }
}

static void act_hostname(void)
{
        char name[256] = "";

        if (gethostname(name, sizeof(name) - 1) < 0)
                out("hostname.errno=%s", errno_name(errno));
        else
                out("hostname=%s", name);
}

static void act_id(void)
{
        gid_t groups[NGROUPS_MAX];
        char list[PROBE_LINE_MAX / 2] = "";
        int n = getgroups(NGROUPS_MAX, groups);
        size_t o = 0;

        out("uid=%u", (unsigned)getuid());
        out("gid=%u", (unsigned)getgid());
        out("euid=%u", (unsigned)geteuid());
        out("egid=%u", (unsigned)getegid());
        for (int i = 0; i < n && o + 16 < sizeof(list); i++)
                o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%u", i ? "," : "",
                                      (unsigned)groups[i]);
        out("groups=%s", list);
}

/* /proc/self/status lines that matter for isolation, verbatim (tabs squeezed to one space). */
static void act_status(void)
{
        static const char *const keys[] = {"Uid",        "Gid",     "Groups",          "CapInh",
                                           "CapPrm",     "CapEff",  "CapBnd",          "CapAmb",
                                           "NoNewPrivs", "Seccomp", "Seccomp_filters", "NSpid"};
        char *data = slurp("/proc/self/status", NULL);

        if (!data) {
                out("status.errno=%s", errno_name(errno));
                return;
        }
        for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = 0;
                for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                        if (strcmp(line, keys[i]) != 0)
                                continue;
                        char *v = colon + 1;
                        while (*v == ' ' || *v == '\t')
                                v++;
                        for (char *p = v; *p; p++)
                                if (*p == '\t')
                                        *p = ' ';
                        /* Trailing space after the last group, trimmed for exact comparisons. */
                        size_t l = strlen(v);
                        while (l && v[l - 1] == ' ')
                                v[--l] = 0;
                        out("status.%s=%s", keys[i], v);
                }
        }
        out("nnp=%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
        out("dumpable=%d", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
}

static void act_cgroup(void)
{
        size_t len;
        char *data = slurp("/proc/self/cgroup", &len);

        if (!data)
                out("cgroup.errno=%s", errno_name(errno));
        else
                out("cgroup=%s", oneline(data, len));
}

/* Prints the first line of a cgroup file for this process: v2 first, then the v1 controller. */
static void print_cgroup_value(const char *key, const char *v1_controller, const char *v1_file,
                               const char *v2_file)
{
        char path[PATH_MAX];
        char *data;

        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", v2_file);
        data = slurp(path, NULL);
        if (!data) {
                snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", v1_controller, v1_file);
                data = slurp(path, NULL);
        }
        if (!data) {
                out("%s.errno=%s", key, errno_name(errno));
                return;
        }
        data[strcspn(data, "\n")] = 0;
        out("%s=%s", key, data);
}

static void act_limits(void)
{
        print_cgroup_value("memory.limit", "memory", "memory.limit_in_bytes", "memory.max");
        print_cgroup_value("cpu.quota", "cpu", "cpu.cfs_quota_us", "cpu.max");
        print_cgroup_value("pids.max", "pids", "pids.max", "pids.max");
}

static void act_oom(void)
{
        char *data = slurp("/proc/self/oom_score_adj", NULL);

        if (!data) {
                out("oom_score_adj.errno=%s", errno_name(errno));
                return;
        }
        data[strcspn(data, "\n")] = 0;
        out("oom_score_adj=%s", data);
}

/* One `mount=` line per mountinfo entry: mount point, fs type, mount options, super options. */
static void act_mounts(void)
{
        char *data = slurp("/proc/self/mountinfo", NULL);
        int count = 0;

        if (!data) {
                out("mounts.errno=%s", errno_name(errno));
                return;
        }
        for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
                char mnt[PATH_MAX], opts[512], fstype[64], src[PATH_MAX], super[1024];
                char *dash = strstr(line, " - ");
                if (!dash || sscanf(line, "%*d %*d %*s %*s %4095s %511s", mnt, opts) != 2)
                        continue;
                if (sscanf(dash + 3, "%63s %4095s %1023s", fstype, src, super) != 3)
                        continue;
                out("mount=%s %s %s %s", mnt, fstype, opts, super);
                count++;
        }
        out("mounts.count=%d", count);
}

static void act_env(void)
{
        extern char **environ;
        int n = 0;

        for (char **e = environ; *e; e++, n++)
                out("env.%s", *e);
        out("env.count=%d", n);
}

static void act_getenv(const char *key)
{
        const char *v = getenv(key);

        if (v)
                out("getenv.%s=%s", key, v);
        else
                out("getenv.%s.unset=1", key);
}

static void act_cwd(void)
{
        char buf[PATH_MAX];

        if (!getcwd(buf, sizeof(buf)))
                out("cwd.errno=%s", errno_name(errno));
        else
                out("cwd=%s", buf);
}

/* Every open fd with its readlink target; `fds=` lists the numbers. */
static void act_fds(void)
{
        char list[PROBE_LINE_MAX / 2] = "";
        size_t o = 0;
        DIR *d = opendir("/proc/self/fd");
        int self;
        struct dirent *de;

        if (!d) {
                out("fds.errno=%s", errno_name(errno));
                return;
        }
        self = dirfd(d);
        while ((de = readdir(d))) {
                char path[64], target[PATH_MAX];
                ssize_t n;
                int fd;

                if (de->d_name[0] == '.')
                        continue;
                fd = atoi(de->d_name);
                if (fd == self)
                        continue;
                snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
                n = readlink(path, target, sizeof(target) - 1);
                target[n < 0 ? 0 : n] = 0;
                out("fd.%d=%s", fd, target);
                if (o + 16 < sizeof(list))
                        o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%d", o ? "," : "", fd);
        }
        closedir(d);
        out("fds=%s", list);
}

static void act_read(const char *path)
{
        size_t len;
        char *data = slurp(path, &len);

        if (!data)
                out("read.errno=%s", errno_name(errno));
        else
                out("read=%s", oneline(data, len));
}

static void act_write(const char *path, const char *content)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        size_t len = strlen(content);

        if (fd < 0) {
                out("write.errno=%s", errno_name(errno));
                return;
        }
        if (write(fd, content, len) != (ssize_t)len) {
                out("write.errno=%s", errno_name(errno));
                close(fd);
                return;
        }
        close(fd);
        out("write=ok");
}

static void act_stat(const char *path)
{
        struct stat st;
        const char *type;

        if (lstat(path, &st) < 0) {
                out("stat.errno=%s", errno_name(errno));
                return;
        }
        switch (st.st_mode & S_IFMT) {
        case S_IFREG:
                type = "file";
                break;
        case S_IFDIR:
                type = "dir";
                break;
        case S_IFLNK:
                type = "symlink";
                break;
        case S_IFCHR:
                type = "char";
                break;
        case S_IFBLK:
                type = "block";
                break;
        case S_IFIFO:
                type = "fifo";
                break;
        default:
                type = "other";
                break;
        }
        out("stat.type=%s", type);
        out("stat.mode=%04o", (unsigned)(st.st_mode & 07777));
        out("stat.uid=%u", (unsigned)st.st_uid);
        out("stat.gid=%u", (unsigned)st.st_gid);
        out("stat.size=%lld", (long long)st.st_size);
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                out("stat.rdev=%u:%u", major(st.st_rdev), minor(st.st_rdev));
}

static void act_ls(const char *path)
{
        char list[PROBE_LINE_MAX / 2] = "";
        size_t o = 0;
        DIR *d = opendir(path);
        struct dirent *de;

        if (!d) {
                out("ls.errno=%s", errno_name(errno));
                return;
        }
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (o + strlen(de->d_name) + 2 < sizeof(list))
                        o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? "," : "",
                                              de->d_name);
        }
        closedir(d);
        out("ls=%s", list);
}

static void act_sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static void on_sigterm(int sig)
{
        (void)sig;
        static const char msg[] = "sigterm=ignored\n";
        (void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
}

static void act_ignore_sigterm(void)
{
        struct sigaction sa = {.sa_handler = on_sigterm, .sa_flags = SA_RESTART};

        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        out("ignore-sigterm=ok");
}

/* Forks n children that sleep until killed: they stay in the app, for stop tests. */
static void act_fork(long n)
{
        for (long i = 0; i < n; i++) {
                pid_t pid = fork();
                if (pid < 0) {
                        out("fork.errno=%s", errno_name(errno));
                        return;
                }
                if (pid == 0) {
                        for (;;)
                                pause();
                }
        }
        out("fork=%ld", n);
}

/* A middle child forks n grandchildren that exit at once, then exits itself: the grandchildren
 * are orphaned to the pod's PID 1, which must reap them. */
static void act_zombies(long n)
{
        pid_t mid = fork();

        if (mid < 0) {
                out("zombies.errno=%s", errno_name(errno));
                return;
        }
        if (mid == 0) {
                /* Keep the grandchildren unreaped until the middle child exits: block SIGCHLD
                 * reaping by simply not waiting. */
                for (long i = 0; i < n; i++) {
                        pid_t pid = fork();
                        if (pid == 0)
                                _exit(0);
                        if (pid < 0)
                                _exit(1);
                }
                /* Give them time to become zombies under us, then orphan them all at once. */
                act_sleep_ms(100);
                _exit(0);
        }
        waitpid(mid, NULL, 0);
        out("zombies=%ld", n);
}

static int count_state(char state)
{
        DIR *d = opendir("/proc");
        struct dirent *de;
        int n = 0;

        if (!d)
                return -1;
        while ((de = readdir(d))) {
                char path[300], *data, *rp;
                if (!isdigit((unsigned char)de->d_name[0]))
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
                data = slurp(path, NULL);
                if (!data)
                        continue;
                rp = strrchr(data, ')');
                if (rp && rp[1] == ' ' && rp[2] == state)
                        n++;
        }
        closedir(d);
        return n;
}

static void act_count_zombies(void)
{
        out("zombie_count=%d", count_state('Z'));
}

/* Waits up to ms for the zombie count to reach 0; reports how long it took. */
static void act_wait_no_zombies(long ms)
{
        struct timespec start, now;
        long elapsed = 0;
        int n;

        clock_gettime(CLOCK_MONOTONIC, &start);
        while ((n = count_state('Z')) > 0 && elapsed < ms) {
                act_sleep_ms(10);
                clock_gettime(CLOCK_MONOTONIC, &now);
                elapsed =
                    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        }
        out("zombie_count=%d", n);
        out("zombie_wait_ms=%ld", elapsed);
}

static void act_alloc(long mib)
{
        size_t len = (size_t)mib << 20;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED) {
                out("alloc.errno=%s", errno_name(errno));
                return;
        }
        for (size_t i = 0; i < len; i += 4096)
                p[i] = 1;
        out("alloc=%ld", mib);
}

enum abi { ABI_NATIVE, ABI_I386, ABI_X32 };

#define X32_SYSCALL_BIT 0x40000000L

/* A syscall through the 32-bit entry (int $0x80): arguments in ebx, ecx, edx, esi, edi, ebp,
 * truncated to 32 bits; returns the raw result (-errno on failure). */
static long syscall_i386(long nr, const long a[6])
{
#if defined(__x86_64__)
        long r = nr;
        __asm__ volatile("push %%rbp\n\tmov %[a5], %%rbp\n\tint $0x80\n\tpop %%rbp"
                         : "+a"(r)
                         : "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4]), [a5] "m"(a[5])
                         : "memory", "cc", "r8", "r9", "r10", "r11");
        return r;
#else
        (void)nr;
        (void)a;
        return -ENOSYS;
#endif
}

/* Calls a syscall with up to 6 integer arguments and reports its errno (0 on success):
 * `syscall` natively, `syscall32` through the i386 ABI, `syscallx32` with the x32 bit set. */
static int act_syscall(char **argv, int argc, enum abi abi)
{
        static const char *const prefix[] = {"syscall", "syscall32", "syscallx32"};
        long args[6] = {0};
        int used = 1;
        long nr =
            abi == ABI_I386
                ? syscall_lookup_in(syscall32_names,
                                    sizeof(syscall32_names) / sizeof(syscall32_names[0]), argv[0])
                : syscall_lookup(argv[0]);
        long r;
        int e = 0;

        while (used < argc && used <= 6 &&
               (isdigit((unsigned char)argv[used][0]) || argv[used][0] == '-')) {
                args[used - 1] = parse_long(argv[used], "syscall argument");
                used++;
        }
        errno = 0;
        if (abi == ABI_I386) {
                r = syscall_i386(nr, args);
                e = r < 0 && r > -4096 ? (int)-r : 0;
        } else {
                r = syscall(abi == ABI_X32 ? nr | X32_SYSCALL_BIT : nr, args[0], args[1], args[2],
                            args[3], args[4], args[5]);
                e = r < 0 ? errno : 0;
        }
        out("%s.%s=%s", prefix[abi], argv[0], e ? errno_name(e) : "0");
        return used;
}

/* ioctl(0, TIOCSTI | high << 32): the kernel compares only the low 32 bits of the command, so a
 * filter must too (CVE-2019-10063). */
static void act_tiocsti(long high)
{
        char c = 'x';
        unsigned long cmd = (unsigned long)TIOCSTI | ((unsigned long)high << 32);
        long r = syscall(SYS_ioctl, 0, cmd, &c);

        out("tiocsti=%s", r < 0 ? errno_name(errno) : "0");
}

/* clone(CLONE_NEWUSER): the child, if any, exits at once. */
static void act_clone_newuser(void)
{
        long r = syscall(SYS_clone, (long)(0x10000000 | SIGCHLD), 0L, 0L, 0L, 0L);

        if (r == 0)
                _exit(0);
        if (r > 0)
                waitpid((pid_t)r, NULL, 0);
        out("clone_newuser=%s", r < 0 ? errno_name(errno) : "0");
}

static bool is_pid_name(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

/* T-23 (CVE-2019-5736): for every other process, /proc/PID/exe opened O_PATH and then reopened
 * for writing through /proc/self/fd, as the runc exploit does. Reports the distinct exe targets
 * it could see and those it could open for writing (an app's own binaries are among them: that
 * is the app's business; a runtime binary must never be). */
static void add_target(char *targets, size_t cap, const char *target)
{
        if (!strstr(targets, target) && strlen(targets) + strlen(target) + 2 < cap) {
                if (*targets)
                        strcat(targets, ",");
                strcat(targets, target);
        }
}

static void exe_scan_once(char *targets, char *wtargets, size_t cap, int *opened, int *writable)
{
        DIR *d = opendir("/proc");
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                char path[64], target[PATH_MAX], self[64];
                int fd, wfd;
                ssize_t n;

                if (!is_pid_name(de->d_name) || atoi(de->d_name) == getpid())
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/exe", atoi(de->d_name));
                fd = open(path, O_PATH | O_CLOEXEC);
                if (fd < 0)
                        continue;
                (*opened)++;
                /* The name of what fd holds, not of /proc/PID/exe again: the process may
                 * have exited in between, and then that link reads as nothing. */
                snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
                n = readlink(self, target, sizeof(target) - 1);
                target[n > 0 ? n : 0] = 0;
                add_target(targets, cap, target);
                /* The app's own files (the exe's path names the same inode in our root) are
                 * writable by design, and a writable fd on one makes every concurrent execve
                 * of it fail with ETXTBSY -- the entered commands of the test: not probed.
                 * (A runtime binary the app can reach by path would match too, and be
                 * reported by the test's exe list, not here.) */
                struct stat exe_st, own_st;
                if (fstat(fd, &exe_st) == 0 && stat(target, &own_st) == 0 &&
                    exe_st.st_dev == own_st.st_dev && exe_st.st_ino == own_st.st_ino) {
                        close(fd);
                        continue;
                }
                /* Write access for real: the first byte, rewritten with itself (nothing changes
                 * even where it works). Opening for writing alone proves little: a sealed memfd
                 * opens. */
                wfd = open(self, O_RDWR | O_CLOEXEC);
                if (wfd >= 0) {
                        char byte;
                        if (pread(wfd, &byte, 1, 0) == 1 && pwrite(wfd, &byte, 1, 0) == 1) {
                                (*writable)++;
                                add_target(wtargets, cap, target);
                        }
                        close(wfd);
                }
                close(fd);
        }
        closedir(d);
}

/* The watchers stop early on SIGTERM (a test stops the pod) or once this file exists. A test
 * that stops them through `enter` races the pod's teardown against the entered command's own
 * exit (the app's exit stops the pod, and the kernel and the cgroup clean-up SIGKILL what is
 * left, the `enter` helper in the app's cgroup included): SIGTERM to the pod has no such race. */
#define WATCH_STOP_FILE "/tmp/stop-watch"

static volatile sig_atomic_t watch_stop;

static void on_watch_sigterm(int sig)
{
        (void)sig;
        watch_stop = 1;
}

static bool watch_go_on(const struct timespec *start, long ms);

static void watch_arm_sigterm(void)
{
        struct sigaction sa = {.sa_handler = on_watch_sigterm};

        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(SIGTERM, &sa, NULL);
}

static long elapsed_ms(const struct timespec *start)
{
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static bool watch_go_on(const struct timespec *start, long ms)
{
        return !watch_stop && elapsed_ms(start) < ms && access(WATCH_STOP_FILE, F_OK) < 0;
}

static void act_exe_watch(long ms)
{
        static char targets[PROBE_LINE_MAX / 4], wtargets[PROBE_LINE_MAX / 4];
        struct timespec start;
        int opened = 0, writable = 0, rounds = 0;

        targets[0] = wtargets[0] = 0;
        watch_arm_sigterm();
        clock_gettime(CLOCK_MONOTONIC, &start);
        do {
                exe_scan_once(targets, wtargets, sizeof(targets), &opened, &writable);
                rounds++;
        } while (watch_go_on(&start, ms));
        out("exe_watch.rounds=%d", rounds);
        out("exe_watch.opened=%d", opened);
        out("exe_watch.writable=%d", writable);
        out("exe_watch.targets=%s", targets);
        out("exe_watch.writable_targets=%s", wtargets);
}

/* CapEff of a process (hex), or 0 when unreadable. */
static unsigned long long cap_eff(const char *pid)
{
        char path[64], *data, *p;

        snprintf(path, sizeof(path), "/proc/%s/status", pid);
        data = slurp(path, NULL);
        p = data ? strstr(data, "CapEff:") : NULL;
        return p ? strtoull(p + 7, NULL, 16) : 0;
}

/* "PID comm CapEff" of a process, for the report of a breach. */
static void report_target(const char *key, const char *pid)
{
        char path[64], comm[64] = "?", *data;
        unsigned long long caps = cap_eff(pid);

        snprintf(path, sizeof(path), "/proc/%s/comm", pid);
        data = slurp(path, NULL);
        if (data)
                snprintf(comm, sizeof(comm), "%.*s", (int)strcspn(data, "\n"), data);
        out("%s=%s %s %016llx", key, pid, comm, caps);
}

struct ptrace_counts {
        int seized, fds, tries, seized_priv, fds_priv;
};

/* Opens every entry of /proc/PID/fd; returns how many opened. Listing the directory only takes
 * DAC permission (root passes); what gives a process's files away is opening an entry, which
 * takes ptrace access. */
static int open_fds_of(pid_t pid)
{
        char path[64];
        DIR *fdd;
        struct dirent *fe;
        int n = 0;

        snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
        fdd = opendir(path);
        if (!fdd)
                return 0;
        while ((fe = readdir(fdd))) {
                char fdpath[300];
                int fd;
                if (fe->d_name[0] == '.')
                        continue;
                snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%s", (int)pid, fe->d_name);
                fd = open(fdpath, O_PATH | O_CLOEXEC);
                if (fd >= 0) {
                        n++;
                        close(fd);
                }
        }
        closedir(fdd);
        return n;
}

static void ptrace_one(const char *name, unsigned long long mine, struct ptrace_counts *c)
{
        pid_t pid = atoi(name);
        int n;

        c->tries++;
        if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
                int st;
                c->seized++;
                if (cap_eff(name) & ~mine) {
                        if (!c->seized_priv)
                                report_target("ptrace_watch.seized_priv_example", name);
                        c->seized_priv++;
                }
                /* Detach needs a stopped tracee; a tracee that exits first is reaped here, so
                 * its real parent sees its exit. */
                ptrace(PTRACE_INTERRUPT, pid, 0, 0);
                if (waitpid(pid, &st, __WALL) == pid && !WIFEXITED(st) && !WIFSIGNALED(st))
                        ptrace(PTRACE_DETACH, pid, 0, 0);
        }
        n = open_fds_of(pid);
        c->fds += n;
        if (n && (cap_eff(name) & ~mine)) {
                if (!c->fds_priv)
                        report_target("ptrace_watch.fds_priv_example", name);
                c->fds_priv += n;
        }
}

/* T-25 (CVE-2016-9962): every other process is ptrace-seized and its fds opened, in a loop. A
 * success only counts as a breach ("priv") when the target holds capabilities we lack, i.e. it
 * is a runtime helper that has not yet dropped to the app's privileges (an entered command that
 * already runs as the app is fair game, as the app itself is). */
static void act_ptrace_watch(long ms)
{
        struct timespec start;
        struct ptrace_counts c = {0};
        unsigned long long mine = cap_eff("self");

        watch_arm_sigterm();
        clock_gettime(CLOCK_MONOTONIC, &start);
        do {
                DIR *d = opendir("/proc");
                struct dirent *de;
                pid_t pid;

                while (d && (de = readdir(d)))
                        if (is_pid_name(de->d_name) && (pid = atoi(de->d_name)) != getpid() &&
                            pid != getppid())
                                ptrace_one(de->d_name, mine, &c);
                if (d)
                        closedir(d);
        } while (watch_go_on(&start, ms));
        out("ptrace_watch.tries=%d", c.tries);
        out("ptrace_watch.seized=%d", c.seized);
        out("ptrace_watch.fds=%d", c.fds);
        out("ptrace_watch.seized_priv=%d", c.seized_priv);
        out("ptrace_watch.fds_priv=%d", c.fds_priv);
}

/* mknod PATH (b|c) MAJOR MINOR, then open it for reading: a device the app may not create or
 * open (the device policy) fails at one step or the other. */
static void act_mknod_open(const char *path, const char *type, long major, long minor)
{
        mode_t kind = strcmp(type, "b") == 0 ? S_IFBLK : S_IFCHR;
        int fd;

        unlink(path);
        if (mknod(path, kind | 0600, makedev((unsigned)major, (unsigned)minor)) < 0) {
                out("mknod_open.%s=mknod:%s", path, errno_name(errno));
                return;
        }
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        out("mknod_open.%s=%s", path, fd < 0 ? errno_name(errno) : "0");
        if (fd >= 0)
                close(fd);
}

/* mount(source, target, type, 0, data): `mount -t cgroup` from inside an app (T-22). */
static void act_mount_fs(const char *type, const char *target, const char *data)
{
        mkdir(target, 0755);
        out("mount_fs.%s=%s", type,
            mount(type, target, type, 0, strcmp(data, "-") == 0 ? NULL : data) < 0
                ? errno_name(errno)
                : "0");
}

/* Forks sleeping children until fork fails (at most max): a fork bomb that a pids limit stops. */
static void act_forkbomb(long max)
{
        long n = 0;
        int e = 0;

        for (; n < max; n++) {
                pid_t pid = fork();
                if (pid < 0) {
                        e = errno;
                        break;
                }
                if (pid == 0) {
                        for (;;)
                                pause();
                }
        }
        out("forkbomb.count=%ld", n);
        out("forkbomb.errno=%s", errno_name(e));
}

static void act_read_stdin(void)
{
        char buf[1024];
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf) - 1);

        if (n < 0) {
                out("stdin.errno=%s", errno_name(errno));
                return;
        }
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        out("stdin=%s", buf);
}

static void act_tty(void)
{
        for (int fd = 0; fd <= 2; fd++)
                out("tty.%d=%d", fd, isatty(fd));
        int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        out("tty.ctty=%d", fd >= 0);
        if (fd >= 0)
                close(fd);
}

/* The classic double-chroot escape (T-26): needs CAP_SYS_CHROOT, which the default set has. */
static void act_chroot_escape(void)
{
        mkdir(".probe-escape", 0700);
        if (chroot(".probe-escape") < 0) {
                out("chroot_escape.errno=%s", errno_name(errno));
                return;
        }
        for (int i = 0; i < 64; i++)
                (void)!chdir("..");
        if (chroot(".") < 0) {
                out("chroot_escape.errno=%s", errno_name(errno));
                return;
        }
        out("chroot_escape=done");
}

static void act_time(void)
{
        struct timespec mono, real;

        clock_gettime(CLOCK_MONOTONIC, &mono);
        clock_gettime(CLOCK_REALTIME, &real);
        out("time.mono_ns=%lld", (long long)mono.tv_sec * 1000000000LL + mono.tv_nsec);
        out("time.real_ns=%lld", (long long)real.tv_sec * 1000000000LL + real.tv_nsec);
}

static void act_wait_file(const char *path, long ms)
{
        for (long waited = 0; access(path, F_OK) < 0; waited += 10) {
                if (waited >= ms) {
                        out("wait_file=timeout");
                        return;
                }
                act_sleep_ms(10);
        }
        out("wait_file=ok");
}

/* ---- network: addresses, a tiny HTTP server and an HTTP/1.0 client --------------------------- */

static void act_ip(void)
{
        struct ifaddrs *ifa, *p;

        if (getifaddrs(&ifa) < 0) {
                out("ip.errno=%s", errno_name(errno));
                return;
        }
        for (p = ifa; p; p = p->ifa_next) {
                char addr[INET_ADDRSTRLEN];
                unsigned prefix = 0;
                if (!p->ifa_addr || p->ifa_addr->sa_family != AF_INET)
                        continue;
                inet_ntop(AF_INET, &((struct sockaddr_in *)p->ifa_addr)->sin_addr, addr,
                          sizeof(addr));
                if (p->ifa_netmask)
                        prefix = (unsigned)__builtin_popcount(
                            ((struct sockaddr_in *)p->ifa_netmask)->sin_addr.s_addr);
                out("ip.%s=%s/%u", p->ifa_name, addr, prefix);
        }
        freeifaddrs(ifa);
}

static void set_timeouts(int fd, long ms)
{
        struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int listen_tcp(long port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        return fd;
}

/* Answers n requests (0: forever) on a listening socket: "hello from <hostname> <text>". */
static void serve_http(int lfd, long n, const char *text)
{
        char host[256] = "?", req[65536], resp[1024];

        gethostname(host, sizeof(host) - 1);
        for (long served = 0; n == 0 || served < n; served++) {
                int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                size_t len = 0;
                if (c < 0) {
                        out("serve.errno=%s", errno_name(errno));
                        return;
                }
                set_timeouts(c, 5000);
                while (len < sizeof(req) - 1) {
                        ssize_t r = read(c, req + len, sizeof(req) - 1 - len);
                        if (r <= 0)
                                break;
                        len += (size_t)r;
                        req[len] = 0;
                        if (strstr(req, "\r\n\r\n"))
                                break;
                }
                int blen = snprintf(resp, sizeof(resp), "hello from %s%s%s\n", host,
                                    text ? " " : "", text ? text : "");
                char head[256];
                int hlen = snprintf(head, sizeof(head),
                                    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                                    "Content-Length: %d\r\n\r\n",
                                    blen);
                (void)!write(c, head, (size_t)hlen);
                (void)!write(c, resp, (size_t)blen);
                close(c);
        }
}

static void act_serve_http(long port, long n, const char *text)
{
        int fd = listen_tcp(port);

        if (fd < 0) {
                out("listen.errno=%s", errno_name(-fd));
                return;
        }
        out("listening=%ld", port);
        serve_http(fd, n, text);
        close(fd);
}

/* Socket activation: what was passed (LISTEN_FDS, LISTEN_PID) and, on fd 3, n answers. */
static void act_listen_fds(long n)
{
        const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
        long nfds = fds ? strtol(fds, NULL, 10) : 0;

        out("listen_fds=%s", fds ? fds : "");
        out("listen_pid_ok=%d", pid && strtol(pid, NULL, 10) == (long)getpid());
        for (long i = 0; i < nfds; i++) {
                struct sockaddr_in sa;
                socklen_t sl = sizeof(sa);
                int acc = 0;
                socklen_t al = sizeof(acc);
                int fd = 3 + (int)i;
                if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
                        out("listen_fd.%d.errno=%s", fd, errno_name(errno));
                        continue;
                }
                getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al);
                out("listen_fd.%d=port:%u,listening:%d", fd, ntohs(sa.sin_port), acc);
        }
        if (nfds > 0 && n > 0)
                serve_http(3, n, "via socket activation");
}

struct url {
        char host[64];
        long port;
        char path[4096];
};

/* "$MDS/..." stands for "$AC_METADATA_URL/...", so tests can name the pod's own URL. */
static bool parse_url(const char *in, struct url *u)
{
        static char expanded[8192];
        const char *s = in, *p, *slash, *colon;

        if (strncmp(in, "$MDS", 4) == 0) {
                const char *base = getenv("AC_METADATA_URL");
                snprintf(expanded, sizeof(expanded), "%s%s", base ? base : "", in + 4);
                s = expanded;
        }
        p = s + 7;

        if (strncmp(s, "http://", 7) != 0)
                return false;
        slash = strchr(p, '/');
        colon = memchr(p, ':', slash ? (size_t)(slash - p) : strlen(p));
        size_t hlen = colon ? (size_t)(colon - p) : slash ? (size_t)(slash - p) : strlen(p);
        if (hlen == 0 || hlen >= sizeof(u->host))
                return false;
        memcpy(u->host, p, hlen);
        u->host[hlen] = 0;
        u->port = colon ? strtol(colon + 1, NULL, 10) : 80;
        snprintf(u->path, sizeof(u->path), "%s", slash ? slash : "/");
        return true;
}

static int connect_tcp(const char *host, long port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        int fd;

        if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
                return -EINVAL;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        set_timeouts(fd, 5000);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        return fd;
}

static long ms_since(const struct timespec *t0)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void print_response(char *buf, size_t len)
{
        char *body = strstr(buf, "\r\n\r\n"), *ct, *esc, *q;
        int status = 0;

        if (!body || sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
                out("http.status=bad-response");
                return;
        }
        *body = 0;
        body += 4;
        out("http.status=%d", status);
        ct = strcasestr(buf, "\r\nContent-Type: ");
        if (ct) {
                ct += 16;
                out("http.content_type=%.*s", (int)strcspn(ct, "\r\n"), ct);
        }
        esc = q = malloc(2 * (len - (size_t)(body - buf)) + 1);
        for (char *c = body; c < buf + len; c++) {
                if (*c == '\n' || *c == '\\') {
                        *q++ = '\\';
                        *q++ = *c == '\n' ? 'n' : '\\';
                } else {
                        *q++ = *c;
                }
        }
        *q = 0;
        out("http.body=%s", esc);
        free(esc);
}

/* GET (body NULL) or POST of a form body of body_size bytes (body, or 'a' * body_size when
 * body is "" -- the oversize test streams it). Retries refused connections for retry_ms. */
static void http_request(const char *url, const char *body, long body_size, long retry_ms)
{
        struct timespec t0;
        struct url u;
        char head[8192], *resp = NULL;
        size_t len = 0, cap = 0;
        int fd;

        if (!parse_url(url, &u)) {
                out("http.errno=EINVAL");
                return;
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while ((fd = connect_tcp(u.host, u.port)) == -ECONNREFUSED && ms_since(&t0) < retry_ms)
                act_sleep_ms(20);
        if (fd < 0) {
                out("http.errno=%s", errno_name(-fd));
                return;
        }
        int hl = body ? snprintf(head, sizeof(head),
                                 "POST %s HTTP/1.0\r\nHost: %s\r\nContent-Type: "
                                 "application/x-www-form-urlencoded\r\nContent-Length: %ld\r\n\r\n",
                                 u.path, u.host, body_size)
                      : snprintf(head, sizeof(head), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", u.path,
                                 u.host);
        /* send(MSG_NOSIGNAL): a server that answers early (413) and closes must not kill us. */
        bool ok = send(fd, head, (size_t)hl, MSG_NOSIGNAL) == hl;
        if (ok && body && *body)
                ok = send(fd, body, strlen(body), MSG_NOSIGNAL) == (ssize_t)strlen(body);
        for (long sent = 0; ok && body && !*body && sent < body_size;) {
                static char chunk[65536];
                long k =
                    body_size - sent < (long)sizeof(chunk) ? body_size - sent : (long)sizeof(chunk);
                memset(chunk, 'a', (size_t)k);
                if (sent == 0 && k >= 8)
                        memcpy(chunk, "content=", 8);
                ssize_t w = send(fd, chunk, (size_t)k, MSG_NOSIGNAL);
                if (w <= 0)
                        break; /* the server may answer 413 and close early */
                sent += w;
        }
        for (;;) {
                if (cap - len < 4096)
                        resp = realloc(resp, cap = cap * 2 + 65536);
                ssize_t r = read(fd, resp + len, cap - len - 1);
                if (r <= 0)
                        break;
                len += (size_t)r;
        }
        close(fd);
        if (!resp) {
                out("http.status=no-response");
                out("http.ms=%ld", ms_since(&t0));
                return;
        }
        resp[len] = 0;
        print_response(resp, len);
        out("http.ms=%ld", ms_since(&t0));
        free(resp);
}

/* Opens n TCP connections and keeps them (idle) until the process exits. */
static void act_idle_conns(const char *host, long port, long n)
{
        long opened = 0;

        for (long i = 0; i < n; i++) {
                int fd = connect_tcp(host, port);
                if (fd < 0) {
                        out("idle_conns.errno=%s", errno_name(-fd));
                        break;
                }
                opened++;
        }
        out("idle_conns=%ld", opened);
}

/* One request on a unix stream socket: connect, send text, shut down writing, print the reply
 * (the registration protocol of the metadata service). */
static void act_unix_request(const char *path, const char *text)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char buf[4096];
        size_t len = 0;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                out("unix.errno=%s", errno_name(errno));
                if (fd >= 0)
                        close(fd);
                return;
        }
        set_timeouts(fd, 5000);
        (void)!write(fd, text, strlen(text));
        shutdown(fd, SHUT_WR);
        for (ssize_t r;
             len < sizeof(buf) - 1 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0;)
                len += (size_t)r;
        buf[len] = 0;
        close(fd);
        out("unix.reply=%s", oneline(buf, len));
}

/* Returns how many arguments a network action used, or -1 if a is not one. */
static int net_action(const char *a, int argc, char **argv, int i)
{
#define NET_NEED(n)                                                                                \
        do {                                                                                       \
                if (i + (n) >= argc)                                                               \
                        die("%s needs %d argument(s)", a, (n));                                    \
        } while (0)
        if (strcmp(a, "ip") == 0) {
                act_ip();
                return 0;
        }
        if (strcmp(a, "serve-http") == 0) {
                NET_NEED(2);
                act_serve_http(parse_long(argv[i + 1], "port"), parse_long(argv[i + 2], "count"),
                               NULL);
                return 2;
        }
        if (strcmp(a, "listen-fds") == 0) {
                NET_NEED(1);
                act_listen_fds(parse_long(argv[i + 1], "count"));
                return 1;
        }
        if (strcmp(a, "http-get") == 0) {
                NET_NEED(1);
                http_request(argv[i + 1], NULL, 0, 0);
                return 1;
        }
        if (strcmp(a, "http-get-retry") == 0) {
                NET_NEED(2);
                http_request(argv[i + 1], NULL, 0, parse_long(argv[i + 2], "ms"));
                return 2;
        }
        if (strcmp(a, "http-post") == 0) {
                NET_NEED(2);
                http_request(argv[i + 1], argv[i + 2], (long)strlen(argv[i + 2]), 0);
                return 2;
        }
        if (strcmp(a, "http-post-size") == 0) {
                NET_NEED(2);
                http_request(argv[i + 1], "", parse_long(argv[i + 2], "size"), 0);
                return 2;
        }
        if (strcmp(a, "unix-request") == 0) {
                NET_NEED(2);
                act_unix_request(argv[i + 1], argv[i + 2]);
                return 2;
        }
        if (strcmp(a, "idle-conns") == 0) {
                NET_NEED(3);
                act_idle_conns(argv[i + 1], parse_long(argv[i + 2], "port"),
                               parse_long(argv[i + 3], "count"));
                return 3;
        }
        return -1;
#undef NET_NEED
}

static void usage(void)
{
        dprintf(STDERR_FILENO,
                "usage: probe ACTION [ARGS]... [ACTION [ARGS]...]...\n"
                "actions: pid ns hostname id status cgroup limits oom mounts env getenv KEY cwd\n"
                "  fds read FILE write FILE TEXT stat PATH ls DIR mkdir DIR chdir "
                "DIR exit N\n"
                "  sleep SECS sleep-ms MS ignore-sigterm fork N zombies N count-zombies\n"
                "  wait-no-zombies MS alloc MIB syscall NAME|NR [ARGS] syscall32 NAME|NR [ARGS]\n"
                "  syscallx32 NAME|NR [ARGS] tiocsti HIGHBITS clone-newuser exe-watch MS\n"
                "  ptrace-watch MS forkbomb MAX mount-fs TYPE TARGET DATA|- mknod-open PATH b|c "
                "MAJ MIN\n"
                "  print TEXT eprint TEXT\n"
                "  read-stdin tty chroot-escape time wait-file PATH MS kill PID SIG umask\n"
                "  exec PATH [ARGS]...\n"
                "network: ip serve-http PORT N listen-fds N http-get URL http-get-retry URL MS\n"
                "  http-post URL FORM http-post-size URL BYTES idle-conns IP PORT N\n"
                "  unix-request PATH TEXT\n");
}

#define NEED(n)                                                                                    \
        do {                                                                                       \
                if (i + (n) >= argc)                                                               \
                        die("%s needs %d argument(s)", a, (n));                                    \
        } while (0)

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage();
                return 99;
        }
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                int used = net_action(a, argc, argv, i);

                if (used >= 0) {
                        i += used;
                        continue;
                }

                if (strcmp(a, "pid") == 0) {
                        act_pid();
                } else if (strcmp(a, "ns") == 0) {
                        act_ns();
                } else if (strcmp(a, "hostname") == 0) {
                        act_hostname();
                } else if (strcmp(a, "id") == 0) {
                        act_id();
                } else if (strcmp(a, "status") == 0) {
                        act_status();
                } else if (strcmp(a, "cgroup") == 0) {
                        act_cgroup();
                } else if (strcmp(a, "limits") == 0) {
                        act_limits();
                } else if (strcmp(a, "oom") == 0) {
                        act_oom();
                } else if (strcmp(a, "mounts") == 0) {
                        act_mounts();
                } else if (strcmp(a, "env") == 0) {
                        act_env();
                } else if (strcmp(a, "getenv") == 0) {
                        NEED(1);
                        act_getenv(argv[++i]);
                } else if (strcmp(a, "cwd") == 0) {
                        act_cwd();
                } else if (strcmp(a, "fds") == 0) {
                        act_fds();
                } else if (strcmp(a, "read") == 0) {
                        NEED(1);
                        act_read(argv[++i]);
                } else if (strcmp(a, "write") == 0) {
                        NEED(2);
                        act_write(argv[i + 1], argv[i + 2]);
                        i += 2;
                } else if (strcmp(a, "stat") == 0) {
                        NEED(1);
                        act_stat(argv[++i]);
                } else if (strcmp(a, "ls") == 0) {
                        NEED(1);
                        act_ls(argv[++i]);
                } else if (strcmp(a, "mkdir") == 0) {
                        NEED(1);
                        out("mkdir=%s", mkdir(argv[++i], 0755) < 0 ? errno_name(errno) : "ok");
                } else if (strcmp(a, "chdir") == 0) {
                        NEED(1);
                        out("chdir=%s", chdir(argv[++i]) < 0 ? errno_name(errno) : "ok");
                } else if (strcmp(a, "exit") == 0) {
                        NEED(1);
                        _exit((int)parse_long(argv[i + 1], "exit"));
                } else if (strcmp(a, "sleep") == 0) {
                        NEED(1);
                        act_sleep_ms((long)(strtod(argv[++i], NULL) * 1000));
                } else if (strcmp(a, "sleep-ms") == 0) {
                        NEED(1);
                        act_sleep_ms(parse_long(argv[++i], "sleep-ms"));
                } else if (strcmp(a, "ignore-sigterm") == 0) {
                        act_ignore_sigterm();
                } else if (strcmp(a, "fork") == 0) {
                        NEED(1);
                        act_fork(parse_long(argv[++i], "fork"));
                } else if (strcmp(a, "zombies") == 0) {
                        NEED(1);
                        act_zombies(parse_long(argv[++i], "zombies"));
                } else if (strcmp(a, "count-zombies") == 0) {
                        act_count_zombies();
                } else if (strcmp(a, "wait-no-zombies") == 0) {
                        NEED(1);
                        act_wait_no_zombies(parse_long(argv[++i], "wait-no-zombies"));
                } else if (strcmp(a, "alloc") == 0) {
                        NEED(1);
                        act_alloc(parse_long(argv[++i], "alloc"));
                } else if (strcmp(a, "syscall") == 0) {
                        NEED(1);
                        i += act_syscall(argv + i + 1, argc - i - 1, ABI_NATIVE);
                } else if (strcmp(a, "syscall32") == 0) {
                        NEED(1);
                        i += act_syscall(argv + i + 1, argc - i - 1, ABI_I386);
                } else if (strcmp(a, "syscallx32") == 0) {
                        NEED(1);
                        i += act_syscall(argv + i + 1, argc - i - 1, ABI_X32);
                } else if (strcmp(a, "tiocsti") == 0) {
                        NEED(1);
                        act_tiocsti(parse_long(argv[++i], "tiocsti"));
                } else if (strcmp(a, "clone-newuser") == 0) {
                        act_clone_newuser();
                } else if (strcmp(a, "exe-watch") == 0) {
                        NEED(1);
                        act_exe_watch(parse_long(argv[++i], "exe-watch"));
                } else if (strcmp(a, "ptrace-watch") == 0) {
                        NEED(1);
                        act_ptrace_watch(parse_long(argv[++i], "ptrace-watch"));
                } else if (strcmp(a, "mknod-open") == 0) {
                        NEED(4);
                        act_mknod_open(argv[i + 1], argv[i + 2], parse_long(argv[i + 3], "major"),
                                       parse_long(argv[i + 4], "minor"));
                        i += 4;
                } else if (strcmp(a, "mount-fs") == 0) {
                        NEED(3);
                        act_mount_fs(argv[i + 1], argv[i + 2], argv[i + 3]);
                        i += 3;
                } else if (strcmp(a, "forkbomb") == 0) {
                        NEED(1);
                        act_forkbomb(parse_long(argv[++i], "forkbomb"));
                } else if (strcmp(a, "print") == 0) {
                        NEED(1);
                        out("%s", argv[++i]);
                } else if (strcmp(a, "eprint") == 0) {
                        NEED(1);
                        dprintf(STDERR_FILENO, "%s\n", argv[++i]);
                } else if (strcmp(a, "read-stdin") == 0) {
                        act_read_stdin();
                } else if (strcmp(a, "tty") == 0) {
                        act_tty();
                } else if (strcmp(a, "chroot-escape") == 0) {
                        act_chroot_escape();
                } else if (strcmp(a, "time") == 0) {
                        act_time();
                } else if (strcmp(a, "wait-file") == 0) {
                        NEED(2);
                        act_wait_file(argv[i + 1], parse_long(argv[i + 2], "wait-file"));
                        i += 2;
                } else if (strcmp(a, "kill") == 0) {
                        NEED(2);
                        int r = kill((pid_t)parse_long(argv[i + 1], "kill"),
                                     (int)parse_long(argv[i + 2], "kill"));
                        out("kill=%s", r < 0 ? errno_name(errno) : "ok");
                        i += 2;
                } else if (strcmp(a, "umask") == 0) {
                        mode_t m = umask(0);
                        umask(m);
                        out("umask=%04o", (unsigned)m);
                } else if (strcmp(a, "exec") == 0) {
                        NEED(1);
                        execv(argv[i + 1], argv + i + 1);
                        out("exec.errno=%s", errno_name(errno));
                        return 127;
                } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                        usage();
                        return 0;
                } else {
                        usage();
                        die("unknown action %s", a);
                }
        }
        return 0;
}
