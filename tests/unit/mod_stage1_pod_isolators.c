/* Build glue: compiles the pure stage1 module pod_isolators.c into the unit-test binary. */
#include "stage1/pod_isolators.c"
