/*
 * fuzz_discovery.c - libFuzzer harness for the discovery code that sees attacker bytes: the
 * HTML of a discovery page (meta-tag extraction with libxml2, then template rendering of what
 * it found for a fixed app), the input as an app string, and the input as a URL template.
 * Seeds: tests/fuzz/corpus/fuzz_discovery/ (the HTML fixtures and some templates).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "discovery/discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct discovery_app app = {.name = xstrdup("example.test/app")};
        struct discovery_meta_list metas;
        struct discovery_result res = {0};
        struct ace_error *err = NULL;
        char *s = xstrndup((const char *)data, size), *out = NULL;

        discovery_app_set_label(&app, "version", "1.0");
        discovery_app_set_label(&app, "os", "linux");
        if (discovery_meta_parse((const char *)data, size, &metas, &err) == 0) {
                (void)discovery_collect(&metas, &app, &res, &err);
                discovery_meta_list_clear(&metas);
        }
        discovery_result_clear(&res);
        if (discovery_template_render(s, &app, "aci", &out, &err) == 1) {
                if (strchr(out, '{') && strchr(strchr(out, '{'), '}'))
                        abort(); /* a rendered template never keeps a {variable} */
                free(out);
        }
        discovery_app_clear(&app);
        if (discovery_app_parse(s, &app, &err) == 0) {
                char *str = discovery_app_to_string(&app);
                free(str);
                discovery_app_clear(&app);
        }
        ace_error_free(err);
        free(s);
        return 0;
}
