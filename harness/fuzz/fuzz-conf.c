/*++
 * NAME
 *	fuzz-conf 1
 * SUMMARY
 *	libFuzzer target for the configuration reader
 * SYNOPSIS
 *	make fuzz-conf [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is a whole configuration file, read by conf_load()
 *	(src/conf): the preprocessor (macros, .ifdef and friends,
 *	.include of files beside it, continuation lines, comments), main
 *	options of every type, named lists, "begin" sections, driver
 *	instances and their options, for every feature built in.
 *
 *	The file is written to a private directory in /dev/shm (a file
 *	system on disk makes each run wait for the truncation). Inputs that name
 * /dev, /proc or /sys are skipped, so that an .include cannot read a device for
 *ever. The configuration is a process-wide singleton: the target gives each run
 *its own arena_perm and puts main_config back afterwards.
 *
 *	Beyond what the sanitizers catch it checks that a failed load
 *	says where and what: "FILE:LINE: message" (or a message naming
 *	the file), never an empty error. A failure is an abort().
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/dev/shm/fuzz-conf-XXXXXX";
static char path[sizeof(dir) + 16];
static struct main_config saved;

static void
remove_dir(void)
{
    (void)unlink(path);
    (void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/configure", dir);
    atexit(remove_dir);
    saved = main_config;
    return 0;
}

static int
names_a_device(const uint8_t *data, size_t size)
{
    static const char *const bad[] = {"/dev", "/proc", "/sys"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (memmem(data, size, bad[i], strlen(bad[i])) != NULL)
            return 1;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    gstr err;
    FILE *f;

    if (size > 64 * 1024 || names_a_device(data, size))
        return 0;
    if ((f = fopen(path, "w")) == NULL)
        abort();
    if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();

    arena_perm = NULL;
    arena_perm_init();
    a = arena_create();
    gstr_init(&err, a);
    if (conf_load(path, NULL, &err) != 0) {
        if (err.len == 0 || strchr(gstr_str(&err), ':') == NULL)
            abort();
    }
    arena_destroy(a);
    arena_destroy(arena_perm);
    arena_perm = NULL;
    config = NULL;
    main_config = saved;
    return 0;
}
