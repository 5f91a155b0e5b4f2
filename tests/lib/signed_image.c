/* signed_image.c - ACIs, signatures and discovery pages for fetch tests (see signed_image.h). */
#include "tests/lib/helpers.h"
#include "tests/lib/signed_image.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/strv.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "tests/lib/gpg_keys.h"
#include "tests/lib/https_server.h"
#include "tests/lib/tu.h"

static char *labels_json(const char *labels)
{
        char **parts = strv_split(labels ? labels : "", ",", false);
        char *out = xstrdup("");

        for (char **p = parts; *p; p++) {
                char *eq = strchr(*p, '='), *next;
                cr_assert_not_null(eq, "label %s", *p);
                *eq = '\0';
                next = xasprintf("%s%s{\"name\":\"%s\",\"value\":\"%s\"}", out, *out ? "," : "", *p,
                                 eq + 1);
                free(out);
                out = next;
        }
        strv_free(parts);
        return out;
}

char *test_make_aci(const char *path, const char *name, const char *labels, const char *extra,
                    const char *content)
{
        char *layout = th_mkdtemp("ace-test-layout"), *lj = labels_json(labels);
        char *manifest = xasprintf("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\","
                                   "\"name\":\"%s\",\"labels\":[%s],\"app\":{\"exec\":[\"/hello\"],"
                                   "\"user\":\"0\",\"group\":\"0\"}%s%s}",
                                   name, lj, extra ? "," : "", extra ? extra : "");
        char *p = xasprintf("%s/manifest", layout);
        char id[HASH_IMAGE_ID_SIZE];
        struct tar_write_opts o;
        struct ace_error *err = NULL;
        int lfd, ofd;

        th_write_file(p, manifest, 0644);
        free(p);
        p = xasprintf("%s/rootfs/hello", layout);
        th_mkdir_parents(p);
        th_write_file(p, content ? content : name, 0644);
        free(p);
        tar_write_opts_init(&o);
        o.owner_root = true;
        lfd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(lfd, 0);
        p = xstrdup(path);
        *strrchr(p, '/') = '\0';
        tu_run("mkdir -p '%s'", p);
        free(p);
        ofd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        cr_assert_geq(ofd, 0, "%s", path);
        cr_assert_eq(tar_write_aci(lfd, ofd, &o, id, &err), 0, "%s", ace_error_msg(err));
        close(lfd);
        close(ofd);
        th_rm_rf(layout);
        free(layout);
        free(lj);
        free(manifest);
        return xstrdup(id);
}

const char *test_host_labels(void)
{
        struct utsname u;
        uname(&u);
        if (strcmp(u.machine, "aarch64") == 0)
                return "os=linux,arch=aarch64";
        if (strcmp(u.machine, "i686") == 0 || strcmp(u.machine, "i386") == 0)
                return "os=linux,arch=i386";
        return "os=linux,arch=amd64";
}

static const char *host_arch(void)
{
        return strstr(test_host_labels(), "arch=") + 5;
}

void test_publish_discovery(struct https_server *s)
{
        https_server_put_discovery(
            s, "example.test",
            "<meta name=\"ac-discovery\" content=\"example.test "
            "https://example.test/images/{name}-{version}-{os}-{arch}.{ext}\">\n"
            "<meta name=\"ac-discovery-pubkeys\" content=\"example.test "
            "https://example.test/keys/signer.asc\">\n");
}

char *test_image_relpath(const char *name, const char *version)
{
        return xasprintf("images/%s-%s-linux-%s.aci", name, version, host_arch());
}

char *test_publish_image(struct https_server *s, struct test_gpg *g, const char *fpr,
                         const char *name, const char *version, const char *extra)
{
        char *rel = test_image_relpath(name, version);
        char *path = xasprintf("%s/%s", s->docroot, rel);
        char *labels = xasprintf("version=%s,%s", version, test_host_labels());
        char *id = test_make_aci(path, name, labels, extra, NULL);

        if (fpr) {
                char *asc = xasprintf("%s.asc", path);
                test_gpg_sign(g, fpr, path, asc, TEST_SIG_DETACHED, NULL);
                free(asc);
        }
        tu_run("chmod -R a+rX '%s'", s->docroot);
        free(rel);
        free(path);
        free(labels);
        return id;
}

char *test_build_archive_trace(const char *dir)
{
        char *src = th_src_path("tests/fixtures/shims/archive_trace.c");
        char *so = xasprintf("%s/archive_trace.so", dir);

        tu_run("cc -shared -fPIC -o '%s' '%s' -ldl", so, src);
        free(src);
        return so;
}

char *test_store_snapshot(const char *data_dir)
{
        /* Everything but the SQLite files, whose WAL and index change with reads and
         * checkpoints; a row without its blob cannot exist (the store writes blobs first). */
        return tu_capture(NULL,
                          "cd '%s' 2>/dev/null && find cas -path cas/db -prune -o -type f "
                          "-printf '%%p %%s\\n' 2>/dev/null | sort",
                          data_dir);
}
