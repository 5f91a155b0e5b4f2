/*
 * test_docs_help.c - the command pages in Documentation/commands/ cannot drift from --help:
 * every verb `ace --help` lists has its page (`image` subcommands: image.md, `image fetch`:
 * fetch.md), every flag its --help shows is named in that page, every global flag in ace.md,
 * every app flag of run (stage0/run_args.h's table) in `ace run --help` and run.md, and every
 * option of every actool command in actool.md. Runs the built binaries ($ACE_BUILD); no root.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/run_args.h"
#include "tests/lib/helpers.h"

/* stdout of `$ACE_BUILD/<tool> <args>` (args: space-separated, no quoting needed). */
static char *run_tool(const char *tool, const char *args)
{
        _cleanup_free_ char *bin = th_build_path(tool);
        _cleanup_free_ char *cmd = xasprintf("%s %s 2>/dev/null", bin, args);
        FILE *p = popen(cmd, "r");
        char *out = NULL;
        size_t len = 0;

        cr_assert(p, "popen %s", cmd);
        FILE *m = open_memstream(&out, &len);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
                fwrite(buf, 1, n, m);
        fclose(m);
        pclose(p);
        return out;
}

static char *page(const char *name)
{
        _cleanup_free_ char *rel = xasprintf("Documentation/commands/%s", name);
        _cleanup_free_ char *path = th_src_path(rel);
        char *text = th_read_file(path);
        cr_assert(text, "%s: no such page", rel);
        return text;
}

/* The `--flag` names at the start of the lines of one section of a help text: ace's
 * "Flags:"/"Global Flags:" (lines "      --name..."), actool's "OPTIONS:" ("\t--name..."). */
static char **section_flags(const char *help, const char *section)
{
        char **flags = NULL;
        const char *s = strstr(help, section);

        if (!s)
                return NULL;
        s = strchr(s + 1, '\n'); /* the end of the section's title line */
        while (s && s[1] && s[1] != '\n') {
                const char *line = s + 1, *p = line;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (p == line)
                        break; /* the next section */
                if (p[0] == '-' && p[1] == '-') {
                        size_t n = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
                        flags = strv_push_take(flags, xstrndup(p, n + 2));
                }
                s = strchr(line, '\n');
        }
        return flags;
}

/* Every flag appears in the page as `--flag` followed by a non-name character. */
static void expect_flags_in(char **flags, const char *text, const char *what, const char *pg)
{
        for (char **f = flags; f && *f; f++) {
                bool found = false;
                for (const char *p = strstr(text, *f); p && !found; p = strstr(p + 1, *f)) {
                        char c = p[strlen(*f)];
                        found = !(c == '-' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
                }
                cr_expect(found, "%s: flag %s is not in Documentation/commands/%s", what, *f, pg);
        }
}

/* The names listed under "Commands:" in an `ace ... --help`. */
static char **verbs(const char *help)
{
        char **v = NULL;
        const char *s = strstr(help, "Commands:\n");

        cr_assert(s, "no command list in:\n%s", help);
        for (s = strchr(s, '\n'); s && s[1] == ' '; s = strchr(s + 1, '\n')) {
                const char *p = s + 1;
                while (*p == ' ')
                        p++;
                v = strv_push_take(v, xstrndup(p, strcspn(p, " \n")));
        }
        return v;
}

Test(docs_help, every_verb_has_a_page_with_every_flag)
{
        _cleanup_free_ char *top = run_tool("ace", "--help");
        _cleanup_strv_free_ char **list = verbs(top);
        size_t checked = 0;

        cr_assert_gt(strv_length(list), 10, "%s", top);
        for (char **v = list; *v; v++) {
                if (strcmp(*v, "image") == 0)
                        continue; /* below */
                _cleanup_free_ char *args = xasprintf("%s --help", *v);
                _cleanup_free_ char *help = run_tool("ace", args);
                _cleanup_free_ char *name = xasprintf("%s.md", *v);
                _cleanup_free_ char *text = page(name);
                _cleanup_strv_free_ char **flags = section_flags(help, "\nFlags:\n");
                expect_flags_in(flags, text, *v, name);
                checked++;
        }
        cr_assert_gt(checked, 10);
}

Test(docs_help, image_subcommands_are_in_image_md)
{
        _cleanup_free_ char *help = run_tool("ace", "image --help");
        _cleanup_strv_free_ char **list = verbs(help);
        _cleanup_free_ char *image = page("image.md"), *fetch = page("fetch.md");

        cr_assert_gt(strv_length(list), 5, "%s", help);
        for (char **v = list; *v; v++) {
                _cleanup_free_ char *args = xasprintf("image %s --help", *v);
                _cleanup_free_ char *sub = run_tool("ace", args);
                _cleanup_strv_free_ char **flags = section_flags(sub, "\nFlags:\n");
                const char *text = strcmp(*v, "fetch") == 0 ? fetch : image;
                _cleanup_free_ char *mention = xasprintf("image %s", *v);
                cr_expect(strstr(text, mention), "\"%s\" is not described", mention);
                expect_flags_in(flags, text, mention,
                                strcmp(*v, "fetch") == 0 ? "fetch.md" : "image.md");
        }
}

Test(docs_help, global_flags_are_in_ace_md)
{
        _cleanup_free_ char *help = run_tool("ace", "--help");
        _cleanup_free_ char *text = page("ace.md");
        _cleanup_strv_free_ char **flags = section_flags(help, "\nGlobal Flags:\n");

        cr_assert_geq(strv_length(flags), 7, "%s", help);
        expect_flags_in(flags, text, "global", "ace.md");
        /* Every verb is listed on the top page too. */
        _cleanup_strv_free_ char **list = verbs(help);
        for (char **v = list; *v; v++) {
                _cleanup_free_ char *link = xasprintf("(%s.md)", *v);
                cr_expect(strstr(text, link), "ace.md does not link %s", link);
        }
}

Test(docs_help, app_flags_of_run_are_in_help_and_run_md)
{
        _cleanup_free_ char *help = run_tool("ace", "run --help");
        _cleanup_free_ char *text = page("run.md");
        _cleanup_strv_free_ char **flags = NULL;

        for (const struct cli_option *o = run_app_options; o->name; o++)
                if (!(o->flags & CLI_HIDDEN))
                        flags = strv_push_take(flags, xasprintf("--%s", o->name));
        cr_assert_gt(strv_length(flags), 15);
        expect_flags_in(flags, help, "run --help (app flags)", "../../ace run --help");
        expect_flags_in(flags, text, "run (app flags)", "run.md");
}

Test(docs_help, actool_commands_and_options_are_in_actool_md)
{
        _cleanup_free_ char *help = run_tool("actool", "--help");
        _cleanup_free_ char *text = page("actool.md");
        const char *s = strstr(help, "COMMANDS:\n");
        size_t checked = 0;

        cr_assert(s, "%s", help);
        for (s = strchr(s, '\n'); s && s[1] == '\t'; s = strchr(s + 1, '\n')) {
                _cleanup_free_ char *cmd = xstrndup(s + 2, strcspn(s + 2, "\t\n"));
                if (strcmp(cmd, "help") == 0 || strcmp(cmd, "version") == 0)
                        continue;
                _cleanup_free_ char *heading = xasprintf("### %s\n", cmd);
                cr_expect(strstr(text, heading), "actool.md has no section %s", heading);
                _cleanup_free_ char *args = xasprintf("help %s", cmd);
                _cleanup_free_ char *sub = run_tool("actool", args);
                _cleanup_strv_free_ char **flags = section_flags(sub, "\nOPTIONS:\n");
                expect_flags_in(flags, text, cmd, "actool.md");
                checked++;
        }
        cr_assert_geq(checked, 5);
}
