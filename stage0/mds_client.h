/*
 * mds_client.h - stage0's side of `--mds-register` (common/mds_proto.h): before stage1 starts,
 * register the pod with the metadata service -- its reified manifest, each app's image
 * manifest and a fresh 256-bit token -- and hand the token to stage1 (--mds-token), which
 * adds the pod's addresses once its networks exist and builds AC_METADATA_URL.
 */
#pragma once

#include "common/error.h"
#include "stage0/pod.h"

/* *ret_token is malloc'd. */
int mds_register_pod(struct pod *pod, char **ret_token, struct ace_error **err);
