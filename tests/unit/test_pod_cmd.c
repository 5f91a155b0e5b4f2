/* test_pod_cmd.c - the pod verbs' shared --format parsing (stage0/pod_cmd.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "stage0/pod_cmd.h"

Test(pod_cmd, format_values)
{
        static const struct {
                const char *in;
                int want; /* -1: refused */
        } t[] = {
            {NULL, POD_CMD_FORMAT_TEXT},
            {"", POD_CMD_FORMAT_TEXT},
            {"json", POD_CMD_FORMAT_JSON},
            {"json-pretty", POD_CMD_FORMAT_JSON_PRETTY},
            {"JSON", -1},
            {"yaml", -1},
            {"json-prettyx", -1},
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                enum pod_cmd_format f = POD_CMD_FORMAT_TEXT;
                struct ace_error *err = NULL;
                int r = pod_cmd_parse_format(t[i].in, &f, &err);
                if (t[i].want < 0) {
                        cr_assert_eq(r, -EINVAL, "%s accepted", t[i].in);
                        cr_assert(strstr(err->msg, "want json or json-pretty"), "%s", err->msg);
                        ace_error_free(err);
                } else {
                        cr_assert_eq(r, 0, "%s refused", t[i].in ? t[i].in : "NULL");
                        cr_assert_eq((int)f, t[i].want, "%s", t[i].in ? t[i].in : "NULL");
                }
        }
}
