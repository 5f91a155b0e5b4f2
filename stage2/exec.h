/*
 * exec.h - the final execve of an app, with execvp semantics over the *app's* PATH (glibc's
 * execvpe searches the caller's PATH, which is stage2's, not the app's) and clear diagnostics:
 *   exec "/foo": No such file or directory                         -> 127
 *   exec "/bin/x": bad interpreter "/nope": No such file or directory -> 126
 *   exec "/etc/passwd": Permission denied                           -> 126
 */
#pragma once

#include "common/error.h"

/* Only returns on failure: fills err and returns the exit status to use (126 or 127). */
int exec_app(char *const argv[], char *const envp[], struct ace_error **err);
