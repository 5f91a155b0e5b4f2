/*
 * fuzz_manifest.c - libFuzzer harness for the manifest parsers (`make fuzz-build`, then
 * `build-fuzz/fuzz_manifest -max_total_time=120 -dict=tests/fuzz/fuzz_manifest.dict
 * tests/fuzz/corpus/fuzz_manifest`; the dictionary of appc keys and values is optional).
 *
 * Every input is parsed as an image manifest and as a pod manifest. Whatever parses must
 * serialize, parse again, and serialize to the same text (the round trip the schema promises);
 * copies must serialize identically too. Any violation aborts, so the fuzzer reports it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const char *a, const char *b)
{
        if (strcmp(a, b) != 0)
                abort();
}

static void fuzz_image(const char *buf, size_t len)
{
        struct ace_image_manifest *m = NULL, *again = NULL, *copy;
        struct ace_error *err = NULL;
        char *t1, *t2, *t3;

        if (ace_image_manifest_parse(buf, len, &m, &err) < 0) {
                if (!err || !err->msg || strchr(err->msg, '\n'))
                        abort(); /* errors are one line */
                ace_error_free(err);
                return;
        }
        t1 = ace_image_manifest_to_json(m, true);
        if (ace_image_manifest_parse(t1, strlen(t1), &again, &err) < 0)
                abort(); /* what we write must be valid again */
        t2 = ace_image_manifest_to_json(again, true);
        check_same(t1, t2);
        copy = ace_image_manifest_copy(m);
        t3 = ace_image_manifest_to_json(copy, true);
        check_same(t1, t3);
        free(t1);
        free(t2);
        free(t3);
        ace_image_manifest_free(m);
        ace_image_manifest_free(again);
        ace_image_manifest_free(copy);
}

static void fuzz_pod(const char *buf, size_t len)
{
        struct ace_pod_manifest *pm = NULL, *again = NULL, *copy;
        struct ace_error *err = NULL;
        char *t1, *t2, *t3;

        if (ace_pod_manifest_parse(buf, len, &pm, &err) < 0) {
                if (!err || !err->msg || strchr(err->msg, '\n'))
                        abort();
                ace_error_free(err);
                return;
        }
        t1 = ace_pod_manifest_to_json(pm, false);
        if (ace_pod_manifest_parse(t1, strlen(t1), &again, &err) < 0)
                abort();
        t2 = ace_pod_manifest_to_json(again, false);
        check_same(t1, t2);
        copy = ace_pod_manifest_copy(pm);
        t3 = ace_pod_manifest_to_json(copy, false);
        check_same(t1, t3);
        free(t1);
        free(t2);
        free(t3);
        ace_pod_manifest_free(pm);
        ace_pod_manifest_free(again);
        ace_pod_manifest_free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_image((const char *)data, size);
        fuzz_pod((const char *)data, size);
        return 0;
}
