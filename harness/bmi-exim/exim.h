/* exim.h: just enough of Exim's environment to compile Exim's own
 * src/bmi_spam.c outside Exim, for harness/bmi-exim/run.sh. Declarations
 * of the names bmi_spam.c uses, written for mxlab; driver.c defines
 * them. Not Exim's header. */
#ifndef BMI_EXIM_SHIM_H
#define BMI_EXIM_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPERIMENTAL_BRIGHTMAIL 1

typedef unsigned char uschar;
typedef int BOOL;

#define US            (unsigned char *)
#define CS            (char *)
#define CCS           (const char *)
#define Ustrlen(s)    strlen(CCS(s))
#define Ustrchr(s, c) US strchr(CCS(s), c)
#define Ustrcat(a, b) strcat(CS(a), CCS(b))
#define Ustrcpy(a, b) strcpy(CS(a), CCS(b))

#define LOG_MAIN    1
#define LOG_PANIC   2
#define D_receive   1
#define DEBUG(x)    if (0)
#define GET_TAINTED ((const void *)1)

typedef struct header_line {
    struct header_line *next;
    int type;
    int slen;
    uschar *text;
} header_line;

typedef struct recipient_item {
    uschar *address;
    uschar *bmi_optin;
} recipient_item;

extern recipient_item *recipients_list;
extern int recipients_count;
extern uschar *sender_host_address, *sender_address;
extern uschar *bmi_config_file, *bmi_verdicts;

void log_write(unsigned selector, int flags, const char *fmt, ...);
void debug_printf(const char *fmt, ...);
void *store_get(int size, const void *taint);
BOOL store_extend(void *p, int oldsize, int newsize);
uschar *string_nextinlist(const uschar **list, int *sep, uschar *buf, int size);
int strcmpic(const uschar *a, const uschar *b);

#endif
