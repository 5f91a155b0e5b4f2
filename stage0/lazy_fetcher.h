/*
 * lazy_fetcher.h - a fetcher (stage0/fetch.h) created on first use, so that `ace run` of
 * images already in the store (an image ID, the cached default stage1) never initializes
 * HTTP, TLS or gpg on its hot path.
 */
#pragma once

#include "common/error.h"
#include "stage0/fetch.h"

struct lazy_fetcher {
        struct store *store;
        struct fetch_options opts; /* copied; the pointers in it must outlive the fetcher */
        struct fetcher *f;
};

/* The fetcher, made now if it does not exist yet. */
int lazy_fetcher_get(struct lazy_fetcher *lf, struct fetcher **ret, struct ace_error **err);
/* fetcher_fetch() through the lazy fetcher. */
int lazy_fetcher_fetch(struct lazy_fetcher *lf, const struct fetch_request *req, char **ret_id,
                       struct ace_error **err);
void lazy_fetcher_done(struct lazy_fetcher *lf);
