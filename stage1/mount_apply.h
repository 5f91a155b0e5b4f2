/*
 * mount_apply.h - execute an app's mount plan (see mount_plan.h) in the pod's mount namespace.
 * podfd is the pod directory (sources of `empty` volumes are relative to it).
 */
#pragma once

#include "common/error.h"
#include "stage1/mount_plan.h"

int mount_plan_apply(const struct mount_plan *plan, int podfd, struct ace_error **err);
