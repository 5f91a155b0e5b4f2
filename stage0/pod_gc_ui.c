/* pod_gc_ui.c - printing pod_gc events in rkt's words (see pod_gc_ui.h). */
#include "stage0/pod_gc_ui.h"

#include <stdio.h>

#include "common/log.h"

void pod_gc_print_event(void *userdata, enum pod_gc_event ev, const char *uuid, const char *detail)
{
        (void)userdata;
        switch (ev) {
        case POD_GC_MARK_EXITED:
                log_info("moving pod \"%s\" to garbage", uuid);
                break;
        case POD_GC_MARK_ABORTED:
                log_info("moving failed prepare \"%s\" to garbage", uuid);
                break;
        case POD_GC_MARK_EXPIRED:
                log_info("moving expired prepared pod \"%s\" to garbage", uuid);
                break;
        case POD_GC_COLLECTING:
                printf("Garbage collecting pod \"%s\"\n", uuid);
                fflush(stdout);
                break;
        case POD_GC_WITHIN_GRACE:
                log_info("pod \"%s\" not removed: still within grace period (%s)", uuid, detail);
                break;
        case POD_GC_WARNING:
                log_warn("%s", detail);
                break;
        case POD_GC_ERROR:
                log_error("%s", detail);
                break;
        }
}
