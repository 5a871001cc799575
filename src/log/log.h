/* log.h: the main, reject and panic logs. */
#ifndef MXLAB_LOG_LOG_H
#define MXLAB_LOG_LOG_H

#include <stdarg.h>

#include "log/selectors.h"

struct gstr;
struct main_config;

#define LOG_MAIN   0x01
#define LOG_REJECT 0x02
#define LOG_PANIC  0x04
/* The text has deliberate continuation lines ("\n " kept); every other
 * non-printing byte is escaped, as always. Only for texts of mxlab's own. */
#define LOG_CONT 0x08
/* The line's log selector is off: as in Exim, that keeps it out of the
 * main log and -bh's stderr, not out of the reject or panic log. See
 * LOG_SEL(). */
#define LOG_UNSELECTED 0x10
#define LOG_SEL(sel)   (log_selected(sel) ? 0 : LOG_UNSELECTED)

/* Parses log_selector and log_file_path. 0, or -1 with a message (naming
 * the option) in err. */
int log_setup(const struct main_config *m, struct gstr *err);
/* Parses a log_selector value into the selector set; used by log_setup
 * and by the unit tests. */
int log_selector_parse(const char *value, unsigned char *set, struct gstr *err);
int log_selected(enum log_sel sel);
const char *log_selector_name(enum log_sel sel);
/* The main log is kept open between lines: log_close_main() closes it
 * (before a process closes every descriptor), log_main_fd() is its
 * descriptor or -1. */
void log_close_main(void);
int log_main_fd(void);
/* The path of a log ("main", "reject", "panic"). */
const char *log_path(const char *which);

/* The id of the message being received (NULL: none): as in Exim, every
 * line written while it is set starts with it. */
void log_set_message_id(const char *id);

/* -bh: lines go to stderr as "LOG: text" (no time stamp) instead of files. */
void log_to_stderr(int on);
/* The same to any descriptor (-1: back to the files); the fuzz targets
 * send log lines to /dev/null this way. */
void log_to_fd(int fd);
/* Testing modes that are not "really" the MTA (Exim's -brw): every line
 * goes to stderr, with its time stamp, and none to the files. */
void log_stamped_to_stderr(int on);
/* Panic lines also go to stderr (command-line deliveries, as Exim). */
void log_panic_to_stderr(int on);

/* One ">>> " line of -bh's trace on stderr, its text escaped (it may
 * hold what the client sent); stdout is flushed first, so the trace and
 * the SMTP replies stay in order. */
void log_vtrace(const char *fmt, va_list ap);
void log_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void log_write(unsigned which, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same; block (lines ending in '\n') follows the line in the reject
 * log only. */
void log_write_block(unsigned which, const char *block, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
