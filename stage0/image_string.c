/*
 * image_string.c - classifying what a user typed as an image (rkt's DistFromImageString and
 * guessAppcOrPath, rkt.md §5.4) and the pull policies. See fetch.h.
 */
#include "stage0/fetch.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/cleanup.h"

static const struct {
        const char *name;
        enum pull_policy policy;
} pull_policies[] = {
    {"never", PULL_POLICY_NEVER},
    {"new", PULL_POLICY_NEW},
    {"update", PULL_POLICY_UPDATE},
};

int pull_policy_parse(const char *s, enum pull_policy *ret, struct ace_error **err)
{
        for (size_t i = 0; i < ARRAY_SIZE(pull_policies); i++)
                if (strcmp(s, pull_policies[i].name) == 0) {
                        *ret = pull_policies[i].policy;
                        return 0;
                }
        return ace_error_make(err, EINVAL,
                              "invalid pull policy \"%s\" (allowed: new, update, never)", s);
}

const char *pull_policy_to_string(enum pull_policy p)
{
        for (size_t i = 0; i < ARRAY_SIZE(pull_policies); i++)
                if (pull_policies[i].policy == p)
                        return pull_policies[i].name;
        return "unknown";
}

/* Length of a URL scheme at the start of s (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" /
 * "." ) followed by ':'), or 0 when there is none — Go's url.Parse getscheme(). */
static size_t scheme_len(const char *s)
{
        size_t i = 0;

        if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
                return 0;
        while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
               (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.')
                i++;
        return s[i] == ':' ? i : 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t l = strlen(s), sl = strlen(suffix);
        return l >= sl && strcmp(s + l - sl, suffix) == 0;
}

/* The path part of a URL (after scheme://authority), without query or fragment. */
static bool url_path_is_aci(const char *url)
{
        const char *p = strstr(url, "://"), *end;

        if (!p)
                return false;
        p = strchr(p + 3, '/');
        if (!p)
                return false;
        end = p + strcspn(p, "?#");
        return end - p >= 4 && strncmp(end - 4, ".aci", 4) == 0;
}

/* rkt's guessAppcOrPath for strings without a scheme. */
static enum image_kind guess_path_or_name(const char *s)
{
        struct stat st;

        if (s[0] == '/')
                return IMAGE_KIND_PATH;
        if (stat(s, &st) == 0 && S_ISREG(st.st_mode))
                return IMAGE_KIND_PATH;
        if (strchr(s, ':'))
                return IMAGE_KIND_NAME;
        if (strstr(s, "./"))
                return IMAGE_KIND_PATH;
        if (has_suffix(s, ".aci"))
                return IMAGE_KIND_PATH;
        return IMAGE_KIND_NAME;
}

enum image_kind image_string_classify(const char *s)
{
        size_t sl;

        if (!s || !*s)
                return IMAGE_KIND_INVALID;
        if (strncmp(s, "sha512-", 7) == 0)
                return IMAGE_KIND_ID;
        sl = scheme_len(s);
        if (sl == 0)
                return guess_path_or_name(s);
        if (sl == 6 && strncasecmp(s, "docker", 6) == 0)
                return IMAGE_KIND_DOCKER;
        if ((sl == 4 && strncasecmp(s, "file", 4) == 0) ||
            (sl == 4 && strncasecmp(s, "http", 4) == 0) ||
            (sl == 5 && strncasecmp(s, "https", 5) == 0)) {
                if (!url_path_is_aci(s))
                        return IMAGE_KIND_INVALID;
                return sl == 4 && strncasecmp(s, "file", 4) == 0 ? IMAGE_KIND_PATH : IMAGE_KIND_URL;
        }
        /* Any other "scheme" is an appc name with a version: "app:1.0". */
        return IMAGE_KIND_NAME;
}
