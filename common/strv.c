/* strv.c - NULL-terminated string vectors (see strv.h). */
#include "common/strv.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

size_t strv_length(char *const *v)
{
        size_t n = 0;
        if (v)
                while (v[n])
                        n++;
        return n;
}

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

char **strv_push_take(char **v, char *s)
{
        size_t n = strv_length(v);
        v = xrealloc(v, (n + 2) * sizeof(char *));
        v[n] = s;
        v[n + 1] = NULL;
        return v;
}

char **strv_push(char **v, const char *s)
{
        return strv_push_take(v, xstrdup(s));
}

char **strv_copy(char *const *v)
{
        size_t n = strv_length(v);
        char **r = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                r[i] = xstrdup(v[i]);
        return r;
}

bool strv_contains(char *const *v, const char *s)
{
        if (!v)
                return false;
        for (; *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

char *strv_join(char *const *v, const char *sep)
{
        size_t len = 1, seplen = strlen(sep), n = strv_length(v);
        char *r, *p;

        for (size_t i = 0; i < n; i++)
                len += strlen(v[i]) + seplen;
        r = p = xmalloc(len);
        *p = '\0';
        for (size_t i = 0; i < n; i++) {
                if (i) {
                        memcpy(p, sep, seplen);
                        p += seplen;
                }
                size_t l = strlen(v[i]);
                memcpy(p, v[i], l);
                p += l;
        }
        *p = '\0';
        return r;
}

char **strv_split(const char *s, const char *seps, bool keep_empty)
{
        char **v = xcalloc(1, sizeof(char *));
        const char *p = s;

        if (!s)
                return v;
        for (;;) {
                size_t l = strcspn(p, seps);
                if (l > 0 || keep_empty)
                        v = strv_push_take(v, xstrndup(p, l));
                if (!p[l])
                        break;
                p += l + 1;
        }
        return v;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **v)
{
        qsort(v, strv_length(v), sizeof(char *), cmp_str);
}

static char **env_find(char **v, const char *key)
{
        size_t kl = strlen(key);
        if (!v)
                return NULL;
        for (; *v; v++)
                if (strncmp(*v, key, kl) == 0 && (*v)[kl] == '=')
                        return v;
        return NULL;
}

char **strv_env_set(char **v, const char *key, const char *value)
{
        char *entry = xasprintf("%s=%s", key, value);
        char **slot = env_find(v, key);
        if (slot) {
                free(*slot);
                *slot = entry;
                return v;
        }
        return strv_push_take(v, entry);
}

const char *strv_env_get(char *const *v, const char *key)
{
        char **slot = env_find((char **)v, key);
        return slot ? *slot + strlen(key) + 1 : NULL;
}
