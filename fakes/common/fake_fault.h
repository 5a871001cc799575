#ifndef FAKE_FAULT_H
#define FAKE_FAULT_H

#include <stddef.h>

/* Server-wide fault modes (--fault). */
#define FAKE_FAULT_NONE     0
#define FAKE_FAULT_REFUSE   1
#define FAKE_FAULT_RESET    2
#define FAKE_FAULT_NOLISTEN 3
#define FAKE_FAULT_HANG     4
#define FAKE_FAULT_SLOW     5
#define FAKE_FAULT_GARBAGE  6
#define FAKE_FAULT_CUT      7
#define FAKE_FAULT_HUGE     8

struct fake_fault {
    int mode;
    long delay_ms;
};

/* What to do instead of (or before) one reply. */
#define FAKE_ACT_REPLY   0
#define FAKE_ACT_DROP    1
#define FAKE_ACT_HANG    2
#define FAKE_ACT_GARBAGE 3
#define FAKE_ACT_CUT     4
#define FAKE_ACT_HUGE    5

/* What oversize adds to the last line of a reply. */
#define FAKE_HUGE_PAD 100000

struct fake_action {
    int kind;
    long delay_ms;
};

struct fake_conn;

extern const char fake_fault_help[];

int fake_fault_parse(const char *text, struct fake_fault *f);
int fake_action_parse(const char *word, struct fake_action *a);
int fake_fault_respond(struct fake_conn *c, const struct fake_action *a,
                       const char *wire, size_t len, const char *last);

#endif
