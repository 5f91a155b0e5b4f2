/* Build glue: the unit-test binary links libace only, so the runtime module stage1/listen_fds.c
 * is compiled into it here (once; its tests are in tests/unit/test_*.c). */
#include "stage1/listen_fds.c"
