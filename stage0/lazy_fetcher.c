/* lazy_fetcher.c - a fetcher made on first use (see lazy_fetcher.h). */
#include "stage0/lazy_fetcher.h"

#include <stddef.h>

int lazy_fetcher_get(struct lazy_fetcher *lf, struct fetcher **ret, struct ace_error **err)
{
        if (!lf->f) {
                int r = fetcher_new(lf->store, &lf->opts, &lf->f, err);
                if (r < 0)
                        return r;
        }
        *ret = lf->f;
        return 0;
}

int lazy_fetcher_fetch(struct lazy_fetcher *lf, const struct fetch_request *req, char **ret_id,
                       struct ace_error **err)
{
        struct fetcher *f;
        int r = lazy_fetcher_get(lf, &f, err);
        return r < 0 ? r : fetcher_fetch(f, req, ret_id, err);
}

void lazy_fetcher_done(struct lazy_fetcher *lf)
{
        if (lf->f)
                fetcher_free(lf->f);
        lf->f = NULL;
}
