/* Build glue: the unit-test binary links libace only, so the pure runtime module stage1/run_args.c
 * is compiled into it here (once; its tests are in tests/unit/test_*.c). */
#include "stage1/run_args.c"
