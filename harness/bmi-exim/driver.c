/*++
 * NAME
 *	bmi-exim-driver 1
 * SUMMARY
 *	runs Exim's own bmi_spam.c against libbmiclient_single and fake-bmid
 * SYNOPSIS
 *	bmi-exim-driver CONFIG BODYFILE
 * DESCRIPTION
 *	Compiled with Exim 4.98.2's src/bmi_spam.c (see run.sh), this plays
 *	the part of Exim's receive and routing code: it passes a message of
 *	three recipients (u2 with the opt-in list "strict:x") to
 *	bmi_process_message() as Exim does, prints the verdicts Exim would
 *	store, then for four addresses what Exim's routing would work out
 *	($bmi_deliver, $bmi_alt_location, bmi_rule = 5:8:11, the tracker).
 *	Exim's panic and main log lines are printed as "LOG: ...".
 *--*/

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exim.h"
#include "bmi_spam.h"

recipient_item *recipients_list;
int recipients_count;
uschar *sender_host_address, *sender_address, *bmi_config_file, *bmi_verdicts;

void
log_write(unsigned selector, int flags, const char *fmt, ...)
{
    va_list ap;

    (void)selector;
    printf("LOG%s%s: ", flags & LOG_MAIN ? " main" : "",
           flags & LOG_PANIC ? " panic" : "");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void
debug_printf(const char *fmt, ...)
{
    (void)fmt;
}

/* Exim's store: every block has room to grow by 64k in place. */
void *
store_get(int size, const void *taint)
{
    (void)taint;
    return calloc(1, (size_t)size + 65536);
}

BOOL
store_extend(void *p, int oldsize, int newsize)
{
    (void)p;
    (void)oldsize;
    return newsize < 65536;
}

uschar *
string_nextinlist(const uschar **list, int *sep, uschar *buf, int size)
{
    const char *p = (const char *)*list, *e;
    size_t n;

    (void)sep; /* the colon, as bmi_spam.c uses it */
    if (*p == '\0')
        return NULL;
    e = strchr(p, ':');
    n = e ? (size_t)(e - p) : strlen(p);
    if ((int)n >= size)
        n = (size_t)size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    *list = (const uschar *)(e ? e + 1 : p + strlen(p));
    return buf;
}

int
strcmpic(const uschar *a, const uschar *b)
{
    return strcasecmp((const char *)a, (const char *)b);
}

int
main(int argc, char **argv)
{
    static recipient_item r[3] = {{US "u1@test.ex", NULL},
                                  {US "u2@test.ex", US "strict:x"},
                                  {US "U3@Test.EX", NULL}};
    static const char *const who[][2] = {{"u1", "test.ex"},
                                         {"u2", "test.ex"},
                                         {"u3", "test.ex"},
                                         {"nobody", "test.ex"}};
    header_line h2 = {NULL, ' ', 14, US "Subject: test\n"};
    header_line h1 = {&h2, 'P', 15, US "Received: by x\n"};
    int fd;

    if (argc != 3) {
        fprintf(stderr, "usage: bmi-exim-driver CONFIG BODYFILE\n");
        return 2;
    }
    recipients_list = r;
    recipients_count = 3;
    sender_address = US "alice@example.org";
    bmi_config_file = US argv[1];
    if ((fd = open(argv[2], O_RDONLY)) < 0) {
        perror(argv[2]);
        return 1;
    }
    bmi_verdicts = bmi_process_message(&h1, fd);
    printf("verdicts: %s\n", bmi_verdicts ? (char *)bmi_verdicts : "(none)");
    for (int i = 0; i < 4; i++) {
        uschar *v = bmi_get_base64_verdict(US who[i][0], US who[i][1]);
        uschar *t = bmi_get_base64_tracker_verdict(v);
        int d = bmi_get_delivery_status(v);
        uschar *alt = d ? bmi_get_alt_location(v) : NULL;

        printf("%s: deliver=%d alt=<%s> bmi_rule=%d tracker=<%s>\n", who[i][0],
               d, alt ? (char *)alt : "", bmi_check_rule(v, US "5:8:11"),
               t ? (char *)t : "");
    }
    return 0;
}
