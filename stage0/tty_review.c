/* tty_review.c - the interactive key review of `ace trust` and `ace fetch` (see tty_review.h). */
#include "stage0/tty_review.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"

int tty_review_key(void *userdata, const char *prefix, const char *location,
                   const struct pgp_key_info *key, struct ace_error **err)
{
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;

        (void)userdata;
        (void)location;
        (void)key;
        if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
                log_info("To trust the key for \"%s\", do one of the following:",
                         prefix ? prefix : "");
                log_info(" - call ace with --trust-keys-from-https");
                log_info(" - run: ace trust --prefix \"%s\"", prefix ? prefix : "");
                return ace_error_make(err, ENOTTY,
                                      "error reviewing key: unable to ask user to review "
                                      "fingerprint due to lack of tty");
        }
        for (;;) {
                printf("Are you sure you want to trust this key (yes/no)?\n");
                fflush(stdout);
                if (getline(&line, &cap, stdin) < 0)
                        return ace_error_make(err, EIO, "error reviewing key: error reading input");
                if (strcmp(line, "yes\n") == 0)
                        return 1;
                if (strcmp(line, "no\n") == 0)
                        return 0;
                printf("Please enter 'yes' or 'no'\n");
        }
}
