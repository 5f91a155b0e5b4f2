/* test_cli.c - stage0 command-line parsing: flags, bools, durations, insecure options, verbs. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "common/strv.h"
#include "stage0/cli.h"

struct opts {
        bool flag;
        char *str;
        char **many;
        int num;
        int64_t dur;
};

static const struct cli_option test_options[] = {
    {.name = "flag", .type = CLI_BOOL, .offset = offsetof(struct opts, flag)},
    {.name = "str", .type = CLI_STRING, .offset = offsetof(struct opts, str)},
    {.name = "many", .type = CLI_STRV, .offset = offsetof(struct opts, many)},
    {.name = "num", .type = CLI_INT, .offset = offsetof(struct opts, num)},
    {.name = "dur", .type = CLI_DURATION, .offset = offsetof(struct opts, dur)},
    CLI_END,
};

static int parse(struct opts *o, struct ace_global *g, bool interspersed, char ***args,
                 struct ace_error **err, int argc, char **argv)
{
        const struct cli_optset sets[] = {{test_options, o}, {cli_global_options, g}};
        return cli_parse_args(sets, 2, argc, argv, interspersed, args, err);
}

Test(cli, flags_values_and_positionals)
{
        struct opts o = {0};
        struct ace_global g;
        struct ace_error *err = NULL;
        char **args = NULL;
        char *argv[] = {"--flag",   "--str",       "a",       "pos1", "--many=x", "--many", "y",
                        "--num=-3", "--dur=1h30m", "--debug", "pos2", "--",       "--flag"};

        ace_global_init(&g);
        cr_assert_eq(parse(&o, &g, true, &args, &err, 13, argv), 0, "%s", ace_error_msg(err));
        cr_expect(o.flag);
        cr_expect_str_eq(o.str, "a");
        cr_expect_eq(strv_length(o.many), 2);
        cr_expect_str_eq(o.many[1], "y");
        cr_expect_eq(o.num, -3);
        cr_expect_eq(o.dur, 5400LL * 1000000000LL);
        cr_expect(g.debug);
        cr_assert_eq(strv_length(args), 3);
        cr_expect_str_eq(args[0], "pos1");
        cr_expect_str_eq(args[1], "pos2");
        cr_expect_str_eq(args[2], "--flag");
        strv_free(args);
        strv_free(o.many);
        free(o.str);
        ace_global_free(&g);
}

Test(cli, no_interspersed_stops_at_first_positional)
{
        struct opts o = {0};
        struct ace_global g;
        struct ace_error *err = NULL;
        char **args = NULL;
        char *argv[] = {"--flag=false", "img", "--flag"};

        ace_global_init(&g);
        o.flag = true;
        cr_assert_eq(parse(&o, &g, false, &args, &err, 3, argv), 0);
        cr_expect_not(o.flag);
        cr_expect_eq(strv_length(args), 2);
        cr_expect_str_eq(args[1], "--flag");
        strv_free(args);
        ace_global_free(&g);
}

Test(cli, errors_name_the_flag)
{
        struct opts o = {0};
        struct ace_global g;
        struct ace_error *err = NULL;
        char **args = NULL;

        ace_global_init(&g);
        char *a1[] = {"--nope"};
        cr_expect_eq(parse(&o, &g, true, &args, &err, 1, a1), -EINVAL);
        cr_expect(strstr(ace_error_msg(err), "unknown flag: --nope"));
        char *a2[] = {"--str"};
        cr_expect_eq(parse(&o, &g, true, &args, &err, 1, a2), -EINVAL);
        cr_expect(strstr(ace_error_msg(err), "needs an argument"));
        char *a3[] = {"--num=1x"};
        cr_expect_eq(parse(&o, &g, true, &args, &err, 1, a3), -EINVAL);
        cr_expect(strstr(ace_error_msg(err), "--num"));
        char *a4[] = {"--flag=maybe"};
        cr_expect_eq(parse(&o, &g, true, &args, &err, 1, a4), -EINVAL);
        cr_expect(strstr(ace_error_msg(err), "maybe"));
        char *a5[] = {"--help"};
        cr_expect_eq(parse(&o, &g, true, &args, &err, 1, a5), -EAGAIN);
        char *a6[] = {"--dir="};
        cr_expect_eq(parse(&o, &g, true, &args, &err, 1, a6), -EINVAL);
        ace_error_free(err);
        ace_global_free(&g);
}

Test(cli, insecure_options)
{
        unsigned bits = 0;
        struct ace_error *err = NULL;

        cr_assert_eq(insecure_options_parse("image,tls", &bits, &err), 0);
        cr_expect_eq(bits, INSECURE_IMAGE | INSECURE_TLS);
        cr_assert_eq(insecure_options_parse("all-fetch", &bits, &err), 0);
        cr_expect(bits & INSECURE_PUBKEY, "all-fetch includes pubkey as in rkt's code");
        cr_expect_not(bits & INSECURE_SECCOMP);
        cr_assert_eq(insecure_options_parse("all-run", &bits, &err), 0);
        cr_expect_eq(bits, INSECURE_CAPABILITIES | INSECURE_PATHS | INSECURE_SECCOMP);
        cr_assert_eq(insecure_options_parse("none", &bits, &err), 0);
        cr_expect_eq(bits, 0);
        cr_expect_eq(insecure_options_parse("image,bogus", &bits, &err), -EINVAL);
        cr_expect(strstr(ace_error_msg(err), "bogus"));
        ace_error_free(err);
}

Test(cli, durations_parse_and_format_like_go)
{
        static const struct {
                const char *in;
                int64_t ns;
                const char *out;
        } cases[] = {
            {"0", 0, "0s"},
            {"30m0s", 1800LL * 1000000000LL, "30m0s"},
            {"24h", 86400LL * 1000000000LL, "24h0m0s"},
            {"1.5s", 1500000000LL, "1.5s"},
            {"10s", 10000000000LL, "10s"},
            {"250ms", 250000000LL, "250ms"},
            {"1h2m3s", 3723000000000LL, "1h2m3s"},
            {"-5s", -5000000000LL, "-5s"},
        };
        struct ace_error *err = NULL;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int64_t ns;
                cr_assert_eq(cli_parse_duration(cases[i].in, &ns, &err), 0, "%s", cases[i].in);
                cr_expect_eq(ns, cases[i].ns, "%s", cases[i].in);
                char *s = cli_format_duration(ns);
                cr_expect_str_eq(s, cases[i].out);
                free(s);
        }
        int64_t ns;
        cr_expect_lt(cli_parse_duration("10", &ns, &err), 0, "a unit is required");
        cr_expect_lt(cli_parse_duration("abc", &ns, &err), 0);
        cr_expect_lt(cli_parse_duration("", &ns, &err), 0);
        cr_expect_lt(cli_parse_duration("5x", &ns, &err), 0);
        ace_error_free(err);
}

static int noop(struct ace_global *g, void *o, char **a)
{
        (void)g, (void)o, (void)a;
        return 0;
}

Test(cli, verb_prefixes)
{
        static const struct cli_command status = {.name = "status", .run = noop};
        static const struct cli_command stop = {.name = "stop", .run = noop};
        static const struct cli_command list = {.name = "list", .run = noop};
        const struct cli_command *table[] = {&status, &stop, &list, NULL};
        bool amb;

        cr_expect_eq(cli_find_command(table, "stat", &amb), &status);
        cr_expect_eq(cli_find_command(table, "stop", &amb), &stop);
        cr_expect_eq(cli_find_command(table, "l", &amb), &list);
        cr_expect_null(cli_find_command(table, "st", &amb));
        cr_expect(amb, "st matches status and stop");
        cr_expect_null(cli_find_command(table, "x", &amb));
        cr_expect_not(amb);
}
