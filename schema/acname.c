/*
 * acname.c - AC Identifier, AC Name and AC Kind (spec/types.md).
 *
 * We follow the spec's regular expressions exactly. Stricter than the reference: its check is
 * "allowed characters + alphanumeric first and last character", so it accepts "a//b", "a..b",
 * "a-.b" (identifiers) and "a--b" (names); we refuse runs of separators, as the regex does.
 */
#include "schema/types.h"

#include <errno.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The shared shape of both regexes: ^[a-z0-9]+([SEP][a-z0-9]+)*$. Returns the offset of the
 * first offending character, or -1 when s matches. */
static long first_bad(const char *s, const char *seps)
{
        size_t i = 0;

        if (!s[0])
                return 0;
        for (;;) {
                if (!is_lower_alnum(s[i]))
                        return (long)i;
                while (is_lower_alnum(s[i]))
                        i++;
                if (!s[i])
                        return -1;
                if (!strchr(seps, s[i]))
                        return (long)i;
                i++; /* a separator must be followed by an alphanumeric run */
        }
}

bool ac_identifier_valid(const char *s)
{
        return s && first_bad(s, "-._~/") < 0;
}

bool ac_name_valid(const char *s)
{
        return s && first_bad(s, "-") < 0;
}

static int name_check(const char *s, const char *seps, const char *type, const char *regex,
                      const char *path, struct ace_error **err)
{
        _cleanup_free_ char *q = NULL;
        long bad;

        if (!s || !*s)
                return json_path_error(err, path, "%s cannot be empty", type);
        bad = first_bad(s, seps);
        if (bad < 0)
                return 0;
        q = json_quote(s);
        if ((unsigned char)s[bad] <= 0x20 || (unsigned char)s[bad] >= 0x7f)
                return json_path_error(err, path,
                                       "invalid %s %s: byte 0x%02x at offset %ld (must match %s)",
                                       type, q, (unsigned char)s[bad], bad, regex);
        return json_path_error(err, path,
                               "invalid %s %s: unexpected '%c' at offset %ld (must match %s)", type,
                               q, s[bad], bad, regex);
}

int ac_identifier_check(const char *s, const char *path, struct ace_error **err)
{
        return name_check(s, "-._~/", "AC Identifier", "^[a-z0-9]+([-._~/][a-z0-9]+)*$", path, err);
}

int ac_name_check(const char *s, const char *path, struct ace_error **err)
{
        return name_check(s, "-", "AC Name", "^[a-z0-9]+(-[a-z0-9]+)*$", path, err);
}

char *ac_name_sanitize(const char *image_name)
{
        const char *base = strrchr(image_name, '/');
        char *out, *o;
        bool dash = false;

        base = base ? base + 1 : image_name;
        out = o = xmalloc(strlen(base) + 1);
        for (const char *p = base; *p; p++) {
                char c = *p;
                if (c >= 'A' && c <= 'Z')
                        c = (char)(c - 'A' + 'a');
                if (is_lower_alnum(c)) {
                        /* a run of invalid characters becomes one '-', never a leading one */
                        if (dash && o != out)
                                *o++ = '-';
                        dash = false;
                        *o++ = c;
                } else {
                        dash = true;
                }
        }
        *o = '\0';
        if (!*out) {
                free(out);
                return NULL;
        }
        return out;
}

static const char *const kind_names[_AC_KIND_MAX] = {
    [AC_KIND_IMAGE_MANIFEST] = "ImageManifest",
    [AC_KIND_POD_MANIFEST] = "PodManifest",
};

enum ac_kind ac_kind_from_string(const char *s)
{
        for (int k = 0; k < _AC_KIND_MAX; k++)
                if (s && strcmp(s, kind_names[k]) == 0)
                        return (enum ac_kind)k;
        return AC_KIND_INVALID;
}

const char *ac_kind_to_string(enum ac_kind k)
{
        if (k < 0 || k >= _AC_KIND_MAX)
                return NULL;
        return kind_names[k];
}
