/* Build glue: compiles stage1's cgroup modules (and the pod files they write) into the
 * unit-test binary; their pure parts are tested in tests/unit/test_stage1_cgroup.c. */
#include "stage1/cgroup.c"
#include "stage1/cgroup_detect.c"
#include "stage1/cgroup_v1.c"
#include "stage1/cgroup_v2.c"
#include "stage1/podfiles.c"
#include "stage1/cgroup_devices.c"
