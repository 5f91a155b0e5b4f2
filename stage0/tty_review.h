/*
 * tty_review.h - asking the user on the terminal whether to trust a key, with rkt's question
 * (rkt/pubkey/pubkey.go reviewKey). Used by `ace trust` and by `ace fetch`'s trust-on-first-use.
 */
#pragma once

#include "common/error.h"

struct pgp_key_info;

/* A trust_ui.review / fetch_ui.review_key callback: needs a terminal on stdin and stderr (else
 * ENOTTY with rkt's advice on stderr); asks "Are you sure you want to trust this key
 * (yes/no)?" until the answer is yes (1) or no (0). */
int tty_review_key(void *userdata, const char *prefix, const char *location,
                   const struct pgp_key_info *key, struct ace_error **err);
