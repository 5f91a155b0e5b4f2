/*
 * test_schema_corpus.c - ace's verdict on every manifest of tests/fixtures/manifests, and the
 * comparison with the reference validator's verdicts (reference-verdicts.txt, written by
 * reference-verdicts.sh from /usr/bin/actool). A difference is allowed only for files listed in
 * known-differences.txt, and a listed file must really differ.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"

static char *corpus_dir(void)
{
        const char *src = getenv("ACE_SRC");
        return xasprintf("%s/tests/fixtures/manifests", src ? src : ".");
}

static char *read_file(const char *path, size_t *len)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *buf;

        cr_assert_not_null(f, "cannot open %s", path);
        buf = xmalloc(ACE_MANIFEST_MAX_SIZE + 1);
        *len = fread(buf, 1, ACE_MANIFEST_MAX_SIZE + 1, f);
        cr_assert(!ferror(f), "cannot read %s", path);
        return buf;
}

/* "valid" or "invalid", as ace decides; *msg gets the error for invalid ones. */
static const char *our_verdict(const char *buf, size_t len, char **msg)
{
        _cleanup_json_ struct json_object *obj = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        int r = json_parse_object(buf, len, ACE_JSON_MAX_DEPTH, &obj, &err);

        if (r >= 0 && ace_manifest_kind(obj) == AC_KIND_POD_MANIFEST) {
                struct ace_pod_manifest *pm = NULL;
                r = ace_pod_manifest_parse(buf, len, &pm, &err);
                ace_pod_manifest_free(pm);
        } else if (r >= 0) {
                struct ace_image_manifest *m = NULL;
                r = ace_image_manifest_parse(buf, len, &m, &err);
                ace_image_manifest_free(m);
        }
        *msg = r < 0 ? xstrdup(ace_error_msg(err)) : NULL;
        return r < 0 ? "invalid" : "valid";
}

/* Lines "<file> <word...>" of a text file, comments and blanks skipped: returns a strv of
 * alternating file, rest. */
static char **read_pairs(const char *path)
{
        size_t len;
        _cleanup_free_ char *text = read_file(path, &len);
        char **out = xcalloc(1, sizeof(char *));

        text[len] = '\0';
        _cleanup_strv_free_ char **lines = strv_split(text, "\n", false);
        for (size_t i = 0; lines[i]; i++) {
                if (lines[i][0] == '#')
                        continue;
                char *sp = strchr(lines[i], ' ');
                cr_assert_not_null(sp, "%s: malformed line %s", path, lines[i]);
                *sp = '\0';
                out = strv_push(out, lines[i]);
                out = strv_push(out, sp + 1);
        }
        return out;
}

static const char *pair_get(char **pairs, const char *file)
{
        for (size_t i = 0; pairs[i]; i += 2)
                if (strcmp(pairs[i], file) == 0)
                        return pairs[i + 1];
        return NULL;
}

static char **list_files(const char *dir, const char *sub)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, sub);
        _cleanup_closedir_ DIR *d = opendir(path);
        char **out = xcalloc(1, sizeof(char *));
        struct dirent *de;

        cr_assert_not_null(d, "cannot open %s", path);
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0)
                        out = strv_push_take(out, xasprintf("%s/%s", sub, de->d_name));
        }
        strv_sort(out);
        return out;
}

Test(corpus, verdicts_match_directories_and_reference)
{
        _cleanup_free_ char *dir = corpus_dir();
        _cleanup_free_ char *ref_path = xasprintf("%s/reference-verdicts.txt", dir);
        _cleanup_free_ char *known_path = xasprintf("%s/known-differences.txt", dir);
        _cleanup_free_ char *readme_path = xasprintf("%s/README.md", dir);
        _cleanup_strv_free_ char **ref = read_pairs(ref_path);
        _cleanup_strv_free_ char **known = read_pairs(known_path);
        _cleanup_strv_free_ char **valid = list_files(dir, "valid");
        _cleanup_strv_free_ char **invalid = list_files(dir, "invalid");
        size_t readme_len;
        _cleanup_free_ char *readme = read_file(readme_path, &readme_len);
        size_t total = strv_length(valid) + strv_length(invalid), differing = 0;

        readme[readme_len] = '\0';
        cr_assert_geq(total, 60, "the corpus needs at least 60 manifests, has %zu", total);
        cr_assert_eq(strv_length(ref), 2 * total,
                     "reference-verdicts.txt has %zu entries for %zu files: rerun "
                     "reference-verdicts.sh",
                     strv_length(ref) / 2, total);
        for (int pass = 0; pass < 2; pass++) {
                char **files = pass == 0 ? valid : invalid;
                const char *want = pass == 0 ? "valid" : "invalid";
                for (size_t i = 0; files[i]; i++) {
                        _cleanup_free_ char *path = xasprintf("%s/%s", dir, files[i]);
                        _cleanup_free_ char *msg = NULL;
                        size_t len;
                        _cleanup_free_ char *buf = read_file(path, &len);
                        const char *ours = our_verdict(buf, len, &msg);
                        const char *theirs = pair_get(ref, files[i]);
                        const char *reason = pair_get(known, files[i]);
                        const char *base = strrchr(files[i], '/') + 1;
                        _cleanup_free_ char *listed = xasprintf("`%s`", base);

                        cr_expect_str_eq(ours, want, "%s: ace says %s (%s)", files[i], ours,
                                         msg ? msg : "no error");
                        cr_expect(strstr(readme, listed), "%s is not described in README.md",
                                  files[i]);
                        if (!theirs) {
                                cr_expect_fail("%s has no reference verdict", files[i]);
                                continue;
                        }
                        if (reason) {
                                differing++;
                                cr_expect_str_neq(theirs, want,
                                                  "%s is in known-differences.txt but the "
                                                  "reference agrees with us",
                                                  files[i]);
                        } else {
                                cr_expect_str_eq(theirs, want,
                                                 "%s: reference says %s, ace says %s and the "
                                                 "file is not in known-differences.txt",
                                                 files[i], theirs, want);
                        }
                }
        }
        cr_expect_eq(differing, strv_length(known) / 2,
                     "known-differences.txt lists files that do not exist");
}
