/*++
 * NAME
 *	log 3
 * SUMMARY
 *	main, reject and panic logs
 * SYNOPSIS
 *	#include "log/log.h"
 *
 *	int	log_setup(const struct main_config *m, gstr *err)
 *	int	log_selector_parse(const char *value, unsigned char *set,
 *				gstr *err)
 *	int	log_selected(enum log_sel sel)
 *	void	log_write(unsigned which, const char *fmt, ...)
 *	void	log_write_block(unsigned which, const char *block,
 *				const char *fmt, ...)
 *	void	log_close_main(void)
 *	int	log_main_fd(void)
 * DESCRIPTION
 *	Log lines look as Exim writes them: a time stamp "YYYY-MM-DD
 *	HH:MM:SS" (with ".mmm" under +millisec), " [pid]" under +pid, a
 *	space, then the text. log_write() sends a line to each log its
 *	flags name: main (LOG_MAIN), reject (LOG_REJECT, unless
 *	write_rejectlog is off) and panic (LOG_PANIC). The text is passed
 *	through str_printing() as a whole, so no byte from the network can
 *	start a line of its own or put a control sequence on an operator's
 *	terminal; LOG_CONT keeps a newline that is followed by a space,
 *	for the few entries (all with texts of mxlab's own) that are meant
 *	to take two lines. Rejections and
 *	panics normally name the main log as well, as in Exim, but
 *	log_reject_target can leave it out. Each line is appended with one
 *	write() on an O_APPEND descriptor, so lines from concurrent
 *	processes never interleave. Log files and their folder are made
 *	when missing.
 *
 *	As in Exim, a process keeps the main log open (close-on-exec)
 *	once it has written to it, and before each further line checks
 *	with stat() that the log's path still names that file: after a
 *	rotation, or when a %D or %M path has moved on to another day or
 *	month, the log is opened anew. log_close_main() closes it, for a
 *	process that is about to close every descriptor it has;
 *	log_main_fd() says which descriptor it is (-1: none). The reject
 *	and panic logs, seldom written, are opened for each line.
 *
 *	log_write_block() is log_write() with a block of further lines
 *	that goes to the reject log only, in the same write(), as Exim
 *	follows a rejection after the data with the envelope and the
 *	headers (each line escaped; a continuation's leading space or
 *	TAB kept).
 *
 *	Under log_panic_to_stderr(1), which a delivery or submission
 *	started from the command line asks for, a panic line is also
 *	written to standard error, as Exim does when it has one.
 *
 *	log_file_path is a list of paths with "%s" where "main", "reject"
 *	or "panic" goes, and optionally %D (YYYYMMDD) or %M (YYYYMM); the
 *	first that is not "syslog" is used. Empty means
 *	spool_directory/log/%slog, Exim's default. Syslog is not
 *	supported yet and is refused at start-up.
 *
 *	log_selector is a sequence of +name and -name items; +all and
 *	-all switch every selector. Unset, the Exim defaults apply.
 * DIAGNOSTICS
 *	log_setup() explains a bad selector or path in err. A log that
 *	cannot be written is reported on stderr; a failing panic log
 *	write is ignored, there being no further place to report it.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/msg.h"
#include "base/printing.h"
#include "base/tod.h"
#include "conf/eximopts.h"
#include "conf/mainopts.h"
#include "log/log.h"

#define LOG_SEL_NAME(name, on) #name,
static const char *const sel_names[LS_COUNT] = {LOG_SELECTORS(LOG_SEL_NAME)};
#undef LOG_SEL_NAME
#define LOG_SEL_DEFAULT(name, on) on,
static const unsigned char sel_defaults[LS_COUNT] = {
    LOG_SELECTORS(LOG_SEL_DEFAULT)};
#undef LOG_SEL_DEFAULT

static unsigned char log_sel_set[LS_COUNT];
static char *log_template; /* "/path/%slog" */
static int log_write_reject = 1;
static int log_ready;
static int log_fd = -1;        /* -bh: lines go here instead of to the files */
static int log_panic_stderr;   /* panic lines also to stderr */
static int log_stamped_stderr; /* lines to stderr, stamped, not to files */
static char log_msgid[32];     /* the message being received, or "" */

void
log_set_message_id(const char *id)
{
    if (id == NULL || strlen(id) >= sizeof(log_msgid))
        log_msgid[0] = '\0';
    else
        memcpy(log_msgid, id, strlen(id) + 1);
}

void
log_to_stderr(int on)
{
    log_fd = on ? STDERR_FILENO : -1;
}

void
log_panic_to_stderr(int on)
{
    log_panic_stderr = on;
}

void
log_stamped_to_stderr(int on)
{
    log_stamped_stderr = on;
}

void
log_to_fd(int fd)
{
    log_fd = fd;
}

const char *
log_selector_name(enum log_sel sel)
{
    return sel < LS_COUNT ? sel_names[sel] : "?";
}

int
log_selected(enum log_sel sel)
{
    if (!log_ready)
        return sel < LS_COUNT && sel_defaults[sel];
    return sel < LS_COUNT && log_sel_set[sel];
}

static int
log_selector_item(const char *item, size_t len, int on, unsigned char *set,
                  gstr *err)
{
    if (len == 3 && strncmp(item, "all", 3) == 0) {
        memset(set, on, LS_COUNT);
        return 0;
    }
    for (int i = 0; i < LS_COUNT; i++)
        if (strlen(sel_names[i]) == len &&
            strncmp(sel_names[i], item, len) == 0) {
            set[i] = (unsigned char)on;
            return 0;
        }
    /* Turning off a selector mxlab does not implement is true to what
     * mxlab does (it never writes those lines); turning one on is not. */
    char *name = strndup(item, len);
    int exim = name != NULL && exim_option_known("log_selector", name);
    free(name);
    if (exim && !on)
        return 0;
    if (exim)
        gstr_printf(err,
                    "log_selector: \"%.*s\" is an Exim log selector that "
                    "mxlab does not implement",
                    (int)len, item);
    else
        gstr_printf(err, "log_selector: unknown selector \"%.*s\"", (int)len,
                    item);
    return -1;
}

int
log_selector_parse(const char *value, unsigned char *set, gstr *err)
{
    const char *p = value ? value : "";

    memcpy(set, sel_defaults, LS_COUNT);
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return 0;
        if (*p != '+' && *p != '-') {
            const char *e = p;
            while (*e != '\0' && !isspace((unsigned char)*e))
                e++;
            gstr_printf(err, "log_selector: \"%.*s\" must start with + or -",
                        (int)(e - p), p);
            return -1;
        }
        int on = *p++ == '+';
        const char *start = p;
        while (*p != '\0' && !isspace((unsigned char)*p) && *p != '+' &&
               *p != '-')
            p++;
        if (p == start) {
            gstr_printf(err,
                        "log_selector: a selector name must follow "
                        "\"%c\"",
                        on ? '+' : '-');
            return -1;
        }
        if (log_selector_item(start, (size_t)(p - start), on, set, err) < 0)
            return -1;
    }
}

static int
log_setup_path(const struct main_config *m, gstr *err)
{
    struct list_iter it;
    char *item;
    int any = 0;

    list_iter_init(&it, m->log_file_path, ':');
    while ((item = list_next(&it, arena_perm)) != NULL) {
        if (*item == '\0')
            continue;
        any = 1;
        if (strcmp(item, "syslog") == 0) {
            gstr_printf(err, "log_file_path: syslog logging is not supported "
                             "by mxlab; give a file path with %%s");
            return -1;
        }
        if (item[0] != '/') {
            gstr_printf(err, "log_file_path: \"%s\" is not an absolute path",
                        item);
            return -1;
        }
        const char *s = strstr(item, "%s");
        if (s == NULL || strstr(s + 2, "%s") != NULL) {
            gstr_printf(err,
                        "log_file_path: \"%s\" must contain \"%%s\" "
                        "exactly once",
                        item);
            return -1;
        }
        if (log_template == NULL)
            log_template = item;
    }
    if (!any)
        log_template =
            arena_printf(arena_perm, "%s/log/%%slog", m->spool_directory);
    return 0;
}

int
log_setup(const struct main_config *m, gstr *err)
{
    arena_perm_init();
    log_template = NULL;
    if (log_selector_parse(m->log_selector, log_sel_set, err) < 0)
        return -1;
    if (log_setup_path(m, err) < 0)
        return -1;
    log_write_reject = m->write_rejectlog;
    log_ready = 1;
    return 0;
}

/* Expands the template for one log: %s -> which, %D, %M -> dates. */
const char *
log_path(const char *which)
{
    gstr g;
    time_t now = time(NULL);
    struct tm tm;

    if (log_template == NULL)
        return NULL;
    localtime_r(&now, &tm);
    gstr_init(&g, arena_perm);
    for (const char *p = log_template; *p != '\0'; p++) {
        if (*p != '%' || p[1] == '\0') {
            gstr_addc(&g, *p);
            continue;
        }
        switch (*++p) {
        case 's':
            gstr_adds(&g, which);
            break;
        case 'D':
            gstr_printf(&g, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday);
            break;
        case 'M':
            gstr_printf(&g, "%04d%02d", tm.tm_year + 1900, tm.tm_mon + 1);
            break;
        default:
            gstr_addc(&g, '%');
            gstr_addc(&g, *p);
            break;
        }
    }
    return gstr_str(&g);
}

static void
log_make_dir(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);

    if (n >= sizeof(dir))
        return;
    memcpy(dir, path, n + 1);
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0750) < 0 && errno != EEXIST)
            return;
        *p = '/';
    }
}

/* Opens a log for appending, making its folder if need be; never as
 * descriptor 0, 1 or 2, which a child may replace. */
static int
log_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

    if (fd < 0 && errno == ENOENT) {
        log_make_dir(path);
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    }
    if (fd >= 0 && fd <= STDERR_FILENO) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

        close(fd);
        fd = high;
    }
    return fd;
}

/* The main log, kept open as Exim keeps it: its path when opened, and
 * the file it was then. */
static int main_fd = -1;
static char *main_fd_path;
static dev_t main_fd_dev;
static ino_t main_fd_ino;

void
log_close_main(void)
{
    if (main_fd >= 0)
        close(main_fd);
    main_fd = -1;
    free(main_fd_path);
    main_fd_path = NULL;
}

int
log_main_fd(void)
{
    return main_fd;
}

/* The main log's descriptor for path: the one kept open if the path is
 * the same and still names the same file (not rotated away), or a new
 * one; -1 with errno. */
static int
main_log_fd(const char *path)
{
    struct stat st;
    int fd;

    if (main_fd >= 0) {
        if (strcmp(path, main_fd_path) == 0 && stat(path, &st) == 0 &&
            st.st_dev == main_fd_dev && st.st_ino == main_fd_ino)
            return main_fd;
        log_close_main();
    }
    if ((fd = log_open(path)) < 0)
        return -1;
    if (fstat(fd, &st) < 0 || (main_fd_path = strdup(path)) == NULL)
        return fd; /* used once, then closed by the caller */
    main_fd = fd;
    main_fd_dev = st.st_dev;
    main_fd_ino = st.st_ino;
    return fd;
}

static int
log_append(const char *which, const char *line, size_t len)
{
    const char *path = log_path(which);
    int is_main = strcmp(which, "main") == 0;
    int fd;
    ssize_t n;

    if (path == NULL)
        return -1;
    fd = is_main ? main_log_fd(path) : log_open(path);
    if (fd < 0)
        return -1;
    n = write(fd, line, len);
    if (fd != main_fd)
        close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

static void
log_stamp(gstr *g)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    tod_log(g, tv.tv_sec);
    if (log_selected(LS_millisec))
        gstr_printf(g, ".%03d", (int)(tv.tv_usec / 1000));
    if (log_selected(LS_pid))
        gstr_printf(g, " [%d]", (int)getpid());
    gstr_addc(g, ' ');
}

/* Appends the formatted text, escaped; with LOG_CONT, "\n " is kept. */
static void
log_text(gstr *g, unsigned which, const char *fmt, va_list ap)
{
    gstr raw;
    const char *p, *end;

    gstr_init(&raw, g->arena);
    gstr_vprintf(&raw, fmt, ap);
    /* As Exim's log_write(): while a message has an id, every line
     * starts with it (unless the caller wrote it already). */
    if (log_msgid[0] != '\0') {
        size_t n = strlen(log_msgid);
        if (raw.len < n + 1 || memcmp(raw.s, log_msgid, n) != 0 ||
            raw.s[n] != ' ')
            gstr_printf(g, "%s ", log_msgid);
    }
    p = gstr_str(&raw);
    end = p + raw.len;
    while (p < end) {
        const char *nl = (which & LOG_CONT) ? memchr(p, '\n', end - p) : NULL;

        while (nl != NULL && nl + 1 < end && nl[1] != ' ')
            nl = memchr(nl + 1, '\n', end - nl - 1);
        if (nl == NULL || nl + 1 >= end) {
            str_printing(g, p, (size_t)(end - p));
            break;
        }
        str_printing(g, p, (size_t)(nl - p));
        gstr_addc(g, '\n');
        p = nl + 1;
    }
}

void
log_vtrace(const char *fmt, va_list ap)
{
    struct arena *a = arena_create();
    gstr raw, out;

    gstr_init(&raw, a);
    gstr_init(&out, a);
    gstr_vprintf(&raw, fmt, ap);
    gstr_adds(&out, ">>> ");
    str_printing(&out, raw.s ? raw.s : "", raw.len);
    gstr_addc(&out, '\n');
    fflush(stdout);
    if (write(STDERR_FILENO, out.s, out.len) < 0) {
        /* nothing more to do about it */
    }
    arena_destroy(a);
}

void
log_trace(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vtrace(fmt, ap);
    va_end(ap);
}

/* A block for the reject log only (the envelope and headers of a
 * message refused after its data): each line escaped, with a leading
 * space or TAB (a header's continuation) kept as it is. */
static void
log_block(gstr *g, const char *block)
{
    const char *p = block;

    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        if (n > 0 && (*p == '\t' || *p == ' ')) {
            gstr_addc(g, *p);
            p++;
            n--;
        }
        str_printing(g, p, n);
        gstr_addc(g, '\n');
        p += n;
        if (*p == '\n')
            p++;
    }
}

static void log_vwrite(unsigned which, const char *block, const char *fmt,
                       va_list ap);

void
log_write(unsigned which, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vwrite(which, NULL, fmt, ap);
    va_end(ap);
}

void
log_write_block(unsigned which, const char *block, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vwrite(which, block, fmt, ap);
    va_end(ap);
}

static void
log_vwrite(unsigned which, const char *block, const char *fmt, va_list ap0)
{
    struct arena *a = arena_create();
    va_list ap;
    gstr g;

    gstr_init(&g, a);
    if (which & LOG_UNSELECTED) {
        which &= ~LOG_MAIN;
        if (log_fd >= 0) {
            arena_destroy(a);
            return;
        }
    }
    if (log_fd >= 0) {
        /* as Exim's -bh: "LOG: " and the line, without its time stamp */
        gstr_adds(&g, "LOG: ");
        va_copy(ap, ap0);
        log_text(&g, which, fmt, ap);
        va_end(ap);
        gstr_addc(&g, '\n');
        ssize_t w = write(log_fd, g.s, g.len);
        (void)w;
        arena_destroy(a);
        return;
    }
    log_stamp(&g);
    va_copy(ap, ap0);
    log_text(&g, which, fmt, ap);
    va_end(ap);
    gstr_addc(&g, '\n');
    if (log_stamped_stderr) {
        if (which & (LOG_MAIN | LOG_REJECT | LOG_PANIC)) {
            ssize_t w = write(STDERR_FILENO, g.s, g.len);
            (void)w;
        }
        arena_destroy(a);
        return;
    }
    if ((which & LOG_MAIN) && log_append("main", g.s, g.len) < 0)
        msg_warn("cannot write main log %s: %s", log_path("main") ?: "(unset)",
                 strerror(errno));
    if ((which & LOG_REJECT) && log_write_reject) {
        if (block != NULL && *block != '\0') {
            gstr r;
            gstr_init(&r, a);
            gstr_addn(&r, g.s, g.len);
            log_block(&r, block);
            log_append("reject", r.s, r.len);
        } else
            log_append("reject", g.s, g.len);
    }
    if (which & LOG_PANIC) {
        log_append("panic", g.s, g.len);
        if (log_panic_stderr) {
            ssize_t w = write(STDERR_FILENO, g.s, g.len);
            (void)w;
        }
    }
    arena_destroy(a);
}
