/*++
 * NAME
 *	test-conf 1
 * SUMMARY
 *	unit tests for src/conf
 * DESCRIPTION
 *	Table-driven Check tests: option values of every type (parsed,
 *	rejected, printed back), and the preprocessor (macros, .ifdef,
 *	.include, continuation lines) on small files written to a
 *	temporary directory.
 *--*/

#include <check.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/opt.h"
#include "conf/reader.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct sample {
    char *s;
    int b;
    int i;
    int mk;
    int oct;
    int t;
    int fx;
};

static const struct opt_def sample_defs[] = {
    {"s", OPT_STRING, offsetof(struct sample, s), 0},
    {"b", OPT_BOOL, offsetof(struct sample, b), 0},
    {"i", OPT_INT, offsetof(struct sample, i), 0},
    {"mk", OPT_MKINT, offsetof(struct sample, mk), 0},
    {"oct", OPT_OCTAL, offsetof(struct sample, oct), 0},
    {"t", OPT_TIME, offsetof(struct sample, t), 0},
    {"fx", OPT_FIXED, offsetof(struct sample, fx), 0},
};
static const struct opt_table sample_table =
    OPT_TABLE("sample", sample_defs, struct sample, NULL);

static const struct {
    const char *option;
    const char *value; /* NULL: bare name */
    int negate;
    const char *printed; /* NULL: must be rejected */
} opt_cases[] = {
    {"s", "hello world", 0, "s = hello world"},
    {"b", NULL, 0, "b"},
    {"b", NULL, 1, "no_b"},
    {"b", "true", 0, "b"},
    {"b", "yes", 0, "b"},
    {"b", "false", 0, "no_b"},
    {"b", "NO", 0, "no_b"},
    {"b", "maybe", 0, NULL},
    {"b", "true", 1, NULL},
    {"i", "42", 0, "i = 42"},
    {"i", "0x10", 0, "i = 16"},
    {"i", "2K", 0, "i = 2048"},
    {"i", "-3", 0, "i = -3"},
    {"i", "12x", 0, NULL},
    {"i", "", 0, NULL},
    {"i", "99999999999", 0, NULL},
    {"i", "3G", 0, NULL}, /* does not fit an int */
    {"i", NULL, 0, NULL},
    {"i", "1", 1, NULL}, /* no_ on an integer */
    {"mk", "50M", 0, "mk = 50M"},
    {"mk", "100K", 0, "mk = 100K"},
    {"mk", "1000", 0, "mk = 1000"},
    {"oct", "0640", 0, "oct = 0640"},
    {"oct", "0700", 0, "oct = 0700"},
    {"oct", "9", 0, NULL},
    {"t", "1h30m", 0, "t = 1h30m"},
    {"t", "300", 0, "t = 5m"},
    {"t", "2d5s", 0, "t = 2d5s"},
    {"t", "5y", 0, NULL},
    {"fx", "1.5", 0, "fx = 1.500"},
    {"fx", "2", 0, "fx = 2.000"},
    {"fx", "1.2.3", 0, NULL},
};

START_TEST(test_opt)
{
    struct arena *a = arena_create();
    struct sample *blk = opt_block_new(a, &sample_table);
    const struct opt_def *d = opt_find(&sample_table, opt_cases[_i].option);
    gstr err, out;
    int r;

    gstr_init(&err, a);
    gstr_init(&out, a);
    ck_assert_ptr_nonnull(d);
    r = opt_set(a, d, blk, opt_cases[_i].value, opt_cases[_i].negate, &err);
    if (opt_cases[_i].printed == NULL) {
        ck_assert_msg(r == -1, "%s = %s should be rejected",
                      opt_cases[_i].option,
                      opt_cases[_i].value ? opt_cases[_i].value : "(none)");
        ck_assert_msg(strstr(gstr_str(&err), opt_cases[_i].option) != NULL,
                      "error \"%s\" does not name the option", err.s);
    } else {
        ck_assert_msg(r == 0, "%s: %s", opt_cases[_i].option, gstr_str(&err));
        opt_print(&out, d, blk);
        ck_assert_str_eq(gstr_str(&out), opt_cases[_i].printed);
    }
    arena_destroy(a);
}
END_TEST

static char tmpdir[] = "/tmp/mxlab-test-conf-XXXXXX";

static void
write_file(const char *name, const char *text)
{
    char path[256];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Runs the reader over a file; returns the lines joined with "|", or
 * "ERROR <message>" with the directory path cut out. */
static const char *
read_all(struct arena *a, const char *text, struct conf_macro *macros)
{
    gstr err, out;
    struct conf_reader *r;
    const char *file, *line;
    int lineno;
    char path[256];

    write_file("main.conf", text);
    snprintf(path, sizeof(path), "%s/main.conf", tmpdir);
    gstr_init(&err, a);
    gstr_init(&out, a);
    r = conf_reader_open(a, path, macros, &err);
    while (r != NULL && (line = conf_reader_next(r, &file, &lineno)) != NULL) {
        if (out.len > 0)
            gstr_addc(&out, '|');
        gstr_printf(&out, "%d:%s", lineno, line);
    }
    if (r == NULL || conf_reader_failed(r)) {
        const char *msg = gstr_str(&err), *cut;
        gstr res;
        gstr_init(&res, a);
        gstr_adds(&res, "ERROR ");
        /* Paths are reported in full; drop the temporary directory. */
        while ((cut = strstr(msg, tmpdir)) != NULL) {
            gstr_addn(&res, msg, (size_t)(cut - msg));
            msg = cut + strlen(tmpdir) + 1;
        }
        gstr_adds(&res, msg);
        return gstr_str(&res);
    }
    return gstr_str(&out);
}

static const struct {
    const char *label;
    const char *text;
    const char *expect;
} reader_cases[] = {
    {"comments and blanks", "# c\n\n  a = 1\n   # x\nb = 2\n",
     "3:a = 1|5:b = 2"},
    {"continuation", "a = x \\\n    y\nb = 1\n", "1:a = x y|3:b = 1"},
    {"comment inside continuation", "a = x \\\n# c\n  y\n", "1:a = x y"},
    {"macro", "FOO = bar\na = FOO\n", "2:a = bar"},
    {"macro not inside word", "FOO = bar\na = xFOO FOO_X\n",
     "2:a = xFOO bar_X"},
    {"macro redefined", "FOO = 1\nFOO == 2\na = FOO\n", "3:a = 2"},
    {"macro defined twice", "FOO = 1\nFOO = 2\n",
     "ERROR main.conf:2: macro \"FOO\" is already defined (use \"==\" to "
     "redefine it)"},
    {"redefine unknown", "FOO == 2\n",
     "ERROR main.conf:1: macro \"FOO\" cannot be redefined: it was not "
     "defined before"},
    {"self reference", "A = A A\nx = A\n",
     "ERROR main.conf:2: too many macro substitutions in one line (does a "
     "macro refer to itself?)"},
    {"ifdef true", "FOO = 1\n.ifdef FOO\na = 1\n.else\na = 2\n.endif\n",
     "3:a = 1"},
    {"ifdef false", ".ifdef FOO\na = 1\n.else\na = 2\n.endif\n", "4:a = 2"},
    {"ifndef", ".ifndef FOO\na = 1\n.endif\n", "2:a = 1"},
    {"elifdef",
     "B = 1\n.ifdef A\nx = a\n.elifdef B\nx = b\n.else\nx = c\n"
     ".endif\n",
     "5:x = b"},
    {"nested skip",
     ".ifdef A\n.ifdef B\nx = 1\n.else\nx = 2\n.endif\n"
     ".endif\ny = 3\n",
     "8:y = 3"},
    {"unterminated ifdef", "a = 1\n.ifdef FOO\nb = 2\n",
     "ERROR main.conf:2: .ifdef or .ifndef without a matching .endif"},
    {"endif alone", ".endif\n",
     "ERROR main.conf:1: .endif without a matching .ifdef or .ifndef"},
    {"else twice", ".ifdef A\n.else\n.else\n.endif\n",
     "ERROR main.conf:3: .else after .else"},
    {"unknown directive", ".frobnicate\n",
     "ERROR main.conf:1: unknown directive \".frobnicate\""},
    {"include", "a = 1\n.include inc.conf\nc = 3\n", "1:a = 1|1:b = 2|3:c = 3"},
    {"include missing", ".include nope.conf\n",
     "ERROR main.conf:1: cannot open included file \"nope.conf\": No such "
     "file or directory"},
    {"include_if_exists missing", ".include_if_exists nope.conf\na = 1\n",
     "2:a = 1"},
    {"include loop", ".include main.conf\n",
     "ERROR main.conf:1: .include nesting deeper than 10 (does a file "
     "include itself?)"},
    {"command-line macro wins", "CLI = file\na = CLI\n", "2:a = cmd"},
};

START_TEST(test_reader)
{
    struct arena *a = arena_create();
    struct conf_macro *macros = conf_macro_add(a, NULL, "CLI", "cmd", 1, 0);
    const char *got;

    write_file("inc.conf", "b = 2\n");
    got = read_all(a, reader_cases[_i].text, macros);
    ck_assert_msg(strcmp(got, reader_cases[_i].expect) == 0,
                  "%s:\n got  %s\n want %s", reader_cases[_i].label, got,
                  reader_cases[_i].expect);
    arena_destroy(a);
}
END_TEST

/* fuzz-conf: a reader stopped by an error closes the files of the
 * .include chain it had open (ten of them here), and its files are not
 * inherited across exec. */
START_TEST(test_reader_close)
{
    struct arena *a = arena_create();
    struct conf_reader *r;
    const char *file;
    int line, before, after;
    char path[256];
    gstr err;

    before = dup(0);
    close(before);
    write_file("loop.conf", "a = 1\n.include loop.conf\n");
    snprintf(path, sizeof(path), "%s/loop.conf", tmpdir);
    gstr_init(&err, a);
    r = conf_reader_open(a, path, NULL, &err);
    ck_assert_ptr_nonnull(r);
    while (conf_reader_next(r, &file, &line) != NULL)
        ;
    ck_assert(conf_reader_failed(r));
    ck_assert(fcntl(before, F_GETFD) >= 0);
    ck_assert(fcntl(before, F_GETFD) & FD_CLOEXEC);
    conf_reader_close(r);
    after = dup(0);
    close(after);
    ck_assert_int_eq(after, before);
    arena_destroy(a);
}
END_TEST

/* fuzz-conf (long run): each macro substitution used to copy the line
 * into new memory, so a line that grows with each of its 1,000 allowed
 * substitutions took hundreds of megabytes. Here "X" adds 200 bytes per
 * substitution, 999 times (a line of 200 KB, under the limit):
 * the reader must need a few times the line, not a copy per step. */
START_TEST(test_reader_substitution_memory)
{
    struct arena *a = arena_create();
    gstr text;
    const char *got;

    gstr_init(&text, a);
    gstr_adds(&text, "X = ");
    for (int i = 0; i < 200; i++)
        gstr_addc(&text, 'y');
    gstr_adds(&text, "\nline = ");
    /* "X:X:...": a macro name inside a word is not replaced */
    for (int i = 0; i < 999; i++)
        gstr_adds(&text, i > 0 ? ":X" : "X");
    gstr_addc(&text, '\n');
    got = read_all(a, gstr_str(&text), NULL);
    ck_assert_msg(strncmp(got, "2:line = ", 9) == 0, "got %.80s", got);
    ck_assert_uint_eq(strlen(got), 9 + 999 * 200 + 998);
    ck_assert_msg(arena_used(a) < 8u * 1024 * 1024,
                  "the reader used %zu bytes for a %zu-byte line",
                  arena_used(a), strlen(got));
    arena_destroy(a);
}
END_TEST

static void
make_tmpdir(void)
{
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        exit(EXIT_FAILURE);
    }
}

static Suite *
conf_suite(void)
{
    Suite *s = suite_create("conf");
    TCase *tc = tcase_create("conf");

    tcase_add_loop_test(tc, test_opt, 0, NELEM(opt_cases));
    tcase_add_loop_test(tc, test_reader, 0, NELEM(reader_cases));
    tcase_add_test(tc, test_reader_close);
    tcase_add_test(tc, test_reader_substitution_memory);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    make_tmpdir();
    sr = srunner_create(conf_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (fork() == 0)
        execlp("rm", "rm", "-rf", tmpdir, (char *)NULL);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
