/* exec.c - PATH search and exec diagnostics (exec.h). */
#include "stage2/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define EXIT_NOT_FOUND 127
#define EXIT_NOT_EXECUTABLE 126

/* execve reports ENOENT both for a missing file and for a script whose interpreter is missing;
 * tell them apart so the message names the real culprit. */
static int exec_failed(const char *path, int e, struct ace_error **err)
{
        char line[256];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        if (e == ENOENT && (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) >= 0 &&
            (n = read(fd, line, sizeof(line) - 1)) > 2 && line[0] == '#' && line[1] == '!') {
                char *interp = line + 2;
                line[n] = 0;
                interp += strspn(interp, " \t");
                interp[strcspn(interp, " \t\r\n")] = 0;
                ace_error_errno(err, e, "exec \"%s\": bad interpreter \"%s\"", path, interp);
                return EXIT_NOT_EXECUTABLE;
        }
        ace_error_errno(err, e, "exec \"%s\"", path);
        return e == ENOENT || e == ENOTDIR ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
}

int exec_app(char *const argv[], char *const envp[], struct ace_error **err)
{
        const char *name = argv[0], *path_env;
        _cleanup_strv_free_ char **dirs = NULL;
        int saw_eacces = 0;

        if (!name || !*name) {
                ace_error_make(err, ENOENT, "exec: empty command");
                return EXIT_NOT_FOUND;
        }
        if (strchr(name, '/')) {
                execve(name, argv, envp);
                return exec_failed(name, errno, err);
        }
        path_env = strv_env_get(envp, "PATH");
        dirs = strv_split(path_env ? path_env : "", ":", true);
        for (size_t i = 0; dirs && dirs[i]; i++) {
                _cleanup_free_ char *full = xasprintf("%s/%s", *dirs[i] ? dirs[i] : ".", name);

                execve(full, argv, envp);
                switch (errno) {
                case EACCES:
                        saw_eacces = 1;
                        /* fall through */
                case ENOENT:
                case ENOTDIR:
                case ELOOP:
                case ENAMETOOLONG:
                        continue;
                default:
                        return exec_failed(full, errno, err);
                }
        }
        if (saw_eacces) {
                ace_error_errno(err, EACCES, "exec \"%s\"", name);
                return EXIT_NOT_EXECUTABLE;
        }
        ace_error_errno(err, ENOENT, "exec \"%s\"", name);
        return EXIT_NOT_FOUND;
}
