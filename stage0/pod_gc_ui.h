/*
 * pod_gc_ui.h - how rm and gc report pod_gc events: rkt's messages, on stdout for what the
 * verb did ("Garbage collecting pod ...") and on stderr for the rest.
 */
#pragma once

#include "stage0/pod_gc.h"

void pod_gc_print_event(void *userdata, enum pod_gc_event ev, const char *uuid, const char *detail);
