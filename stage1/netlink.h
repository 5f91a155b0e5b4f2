/*
 * netlink.h - the little rtnetlink stage1 needs without shelling out to `ip`: bring the
 * loopback interface of the pod's network namespace up (appc: a pod MUST have loopback).
 */
#pragma once

#include "common/error.h"

int netlink_loopback_up(struct ace_error **err);
