/* Build glue: compiles stage2's seccomp modules into the unit-test binary (tests in test_*.c). */
#include "stage2/seccomp.c"
#include "stage2/seccomp_groups.c"
#include "stage2/seccomp_default.c"
