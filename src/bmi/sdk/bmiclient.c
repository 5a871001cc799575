/*++
 * NAME
 *	bmiclient 3
 * SUMMARY
 *	libbmiclient_single: the Brightmail client calls, over mxlab's
 *	BMI line protocol
 * SYNOPSIS
 *	#include "bmi_api.h"
 *
 *	(the calls declared there)
 * DESCRIPTION
 *	bmiInitSystem() reads the configuration file: "name = value" lines,
 *	# comments, blank lines ignored:
 *
 *	server = HOST:PORT | [IPV6]:PORT | /path/to/socket
 *		where fake-bmid (or another server of the protocol)
 *		listens; required.
 *	connect_timeout = TIME
 *		for connecting and for the greeting (default 5s).
 *	timeout = TIME
 *		for each later read and write (default 30s).
 *
 *	TIME is a number of seconds, or a number followed by "s" or "ms".
 *
 *	bmiInitMessage() connects and reads the greeting; the other feeding
 *	calls send their lines as they come (docs/bmi-protocol.md);
 *	bmiEndMessage() sends END and reads the verdicts. The verdict
 *	calls work on verdicts of a message or made from strings, with no
 *	server. Every read and write is bounded by a time-out; SIGPIPE is
 *	never raised.
 * DIAGNOSTICS
 *	Each call that can fail returns a BmiError whose location and type
 *	(bmi_api.h) say where and why; once a message has failed, every
 *	later call on it fails the same way. Nothing is printed.
 *--*/

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "bmi/sdk/bmi_api.h"
#include "bmi/sdk/bmi_wire.h"

#define BMI_LINE_MAX   65536
#define BMI_MAX_ANSWER 4096 /* verdict lines in one answer */

struct BmiSystem {
    char *host; /* NULL for a unix socket */
    char *port;
    char *path;
    int connect_ms;
    int io_ms;
};

struct BmiOptin {
    char **items;
    int n;
};

struct BmiRecipient {
    char *address;
};

struct BmiVerdict {
    struct bmi_wire_verdict w;
    struct BmiRecipient *rcpts;
};

struct BmiMessage {
    BmiSystem *sys;
    int fd;
    BmiError failed; /* sticky */
    char in[4096];
    size_t in_off, in_len;
    BmiVerdict *verdicts;
    int nverdicts;
    int ended;
};

static BmiError
bmi_ok(void)
{
    BmiError e = {BMI_ERROR_LOC_NONE, BMI_ERROR_TYPE_NONE, BMI_FALSE};
    return e;
}

static BmiError
bmi_err(BmiErrorLocation loc, BmiErrorType type)
{
    BmiError e = {loc, type, BMI_TRUE};
    return e;
}

BmiBoolean
bmiErrorIsFatal(BmiError err)
{
    return err.fatal ? BMI_TRUE : BMI_FALSE;
}

BmiErrorLocation
bmiErrorGetLocation(BmiError err)
{
    return err.location;
}

BmiErrorType
bmiErrorGetType(BmiError err)
{
    return err.type;
}

/* ---- configuration ---- */

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s &&
           (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int
parse_time_ms(const char *v, int *ms)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (end == v || n < 0 || n > 86400)
        return -1;
    if (*end == '\0' || strcmp(end, "s") == 0)
        n *= 1000;
    else if (strcmp(end, "ms") != 0)
        return -1;
    *ms = (int)n;
    return 0;
}

static int
parse_server(BmiSystem *s, const char *v)
{
    const char *colon;

    if (*v == '/')
        return (s->path = strdup(v)) != NULL ? 0 : -1;
    if (*v == '[') {
        const char *close = strchr(v, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        s->host = strndup(v + 1, (size_t)(close - v - 1));
        colon = close + 1;
    } else {
        if ((colon = strrchr(v, ':')) == NULL)
            return -1;
        s->host = strndup(v, (size_t)(colon - v));
    }
    s->port = strdup(colon + 1);
    return s->host && s->port && *s->host && *s->port ? 0 : -1;
}

static int
read_config(BmiSystem *s, FILE *fp)
{
    char line[1024];
    int have_server = 0;

    while (fgets(line, sizeof(line), fp) != NULL) {
        char *l = trim(line), *eq, *name, *val;
        if (*l == '\0' || *l == '#')
            continue;
        if ((eq = strchr(l, '=')) == NULL)
            return -1;
        *eq = '\0';
        name = trim(l);
        val = trim(eq + 1);
        if (strcmp(name, "server") == 0 && !have_server) {
            if (parse_server(s, val) < 0)
                return -1;
            have_server = 1;
        } else if (strcmp(name, "connect_timeout") == 0) {
            if (parse_time_ms(val, &s->connect_ms) < 0)
                return -1;
        } else if (strcmp(name, "timeout") == 0) {
            if (parse_time_ms(val, &s->io_ms) < 0)
                return -1;
        } else {
            return -1;
        }
    }
    return have_server ? 0 : -1;
}

void
bmiFreeSystem(BmiSystem *system)
{
    if (system == NULL)
        return;
    free(system->host);
    free(system->port);
    free(system->path);
    free(system);
}

BmiError
bmiInitSystem(int version, char *config_file, BmiSystem **system)
{
    BmiSystem *s;
    FILE *fp;
    int rc;

    *system = NULL;
    if (version != BMI_VERSION || config_file == NULL)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return bmi_err(BMI_ERROR_LOC_CONFIG, BMI_ERROR_TYPE_MEMORY);
    s->connect_ms = 5000;
    s->io_ms = 30000;
    if ((fp = fopen(config_file, "r")) == NULL) {
        bmiFreeSystem(s);
        return bmi_err(BMI_ERROR_LOC_CONFIG, BMI_ERROR_TYPE_SYSTEM);
    }
    rc = read_config(s, fp);
    fclose(fp);
    if (rc < 0) {
        bmiFreeSystem(s);
        return bmi_err(BMI_ERROR_LOC_CONFIG, BMI_ERROR_TYPE_SYNTAX);
    }
    *system = s;
    return bmi_ok();
}

/* ---- connection ---- */

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 ready, 0 timed out, -1 error. */
static int
wait_fd(int fd, short events, int ms)
{
    long long deadline = now_ms() + ms;

    for (;;) {
        struct pollfd p = {fd, events, 0};
        long long left = deadline - now_ms();
        int rc;
        if (left <= 0)
            return 0;
        rc = poll(&p, 1, (int)left);
        if (rc > 0)
            return 1;
        if (rc == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

static int
connect_one(int fd, const struct sockaddr *sa, socklen_t len, int ms)
{
    int err = 0;
    socklen_t elen = sizeof(err);

    if (connect(fd, sa, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    if (wait_fd(fd, POLLOUT, ms) <= 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err != 0) {
        errno = err ? err : errno;
        return -1;
    }
    return 0;
}

static BmiError
msg_connect(BmiMessage *m)
{
    BmiSystem *s = m->sys;
    int fd = -1, timed_out = 0;

    if (s->path != NULL) {
        struct sockaddr_un un;
        memset(&un, 0, sizeof(un));
        un.sun_family = AF_UNIX;
        if (strlen(s->path) >= sizeof(un.sun_path))
            return bmi_err(BMI_ERROR_LOC_CONNECT, BMI_ERROR_TYPE_USAGE);
        memcpy(un.sun_path, s->path, strlen(s->path));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect_one(fd, (struct sockaddr *)&un, sizeof(un),
                                   s->connect_ms) < 0) {
            timed_out = errno == ETIMEDOUT;
            close(fd);
            fd = -1;
        }
    } else {
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof(hints));
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
        if (getaddrinfo(s->host, s->port, &hints, &res) != 0)
            return bmi_err(BMI_ERROR_LOC_CONNECT, BMI_ERROR_TYPE_SYNTAX);
        for (struct addrinfo *ai = res; ai != NULL && fd < 0;
             ai = ai->ai_next) {
            fd = socket(ai->ai_family,
                        ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd >= 0 && connect_one(fd, ai->ai_addr, ai->ai_addrlen,
                                       s->connect_ms) < 0) {
                timed_out = errno == ETIMEDOUT;
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(res);
    }
    if (fd < 0)
        return bmi_err(BMI_ERROR_LOC_CONNECT, timed_out
                                                  ? BMI_ERROR_TYPE_TIMEOUT
                                                  : BMI_ERROR_TYPE_SYSTEM);
    m->fd = fd;
    return bmi_ok();
}

static BmiError
msg_fail(BmiMessage *m, BmiError e)
{
    if (!m->failed.fatal)
        m->failed = e;
    if (m->fd >= 0) {
        close(m->fd);
        m->fd = -1;
    }
    return m->failed;
}

static BmiError
msg_write(BmiMessage *m, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n;
        int w = wait_fd(m->fd, POLLOUT, m->sys->io_ms);
        if (w <= 0)
            return msg_fail(
                m, bmi_err(BMI_ERROR_LOC_SEND, w == 0 ? BMI_ERROR_TYPE_TIMEOUT
                                                      : BMI_ERROR_TYPE_SYSTEM));
        n = send(m->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return msg_fail(m, bmi_err(BMI_ERROR_LOC_SEND,
                                       errno == EPIPE || errno == ECONNRESET
                                           ? BMI_ERROR_TYPE_CLOSED
                                           : BMI_ERROR_TYPE_SYSTEM));
        data += n;
        len -= (size_t)n;
    }
    return bmi_ok();
}

/* Reads one line (LF, an optional CR before it dropped) into *line
 * (malloc()ed). */
static BmiError
msg_read_line(BmiMessage *m, BmiErrorLocation loc, int ms, char **line)
{
    struct bmi_str b;

    bmi_str_init(&b);
    *line = NULL;
    for (;;) {
        char *nl;
        ssize_t n;
        int w;
        if (m->in_len > 0) {
            nl = memchr(m->in + m->in_off, '\n', m->in_len);
            size_t take =
                nl ? (size_t)(nl - (m->in + m->in_off)) + 1 : m->in_len;
            bmi_str_add(&b, m->in + m->in_off, take);
            m->in_off += take;
            m->in_len -= take;
            if (b.failed) {
                free(b.s);
                return msg_fail(m, bmi_err(loc, BMI_ERROR_TYPE_MEMORY));
            }
            if (b.len > BMI_LINE_MAX) {
                free(b.s);
                return msg_fail(m, bmi_err(loc, BMI_ERROR_TYPE_PROTOCOL));
            }
            if (nl != NULL)
                break;
        }
        m->in_off = 0;
        if ((w = wait_fd(m->fd, POLLIN, ms)) <= 0) {
            free(b.s);
            return msg_fail(m, bmi_err(loc, w == 0 ? BMI_ERROR_TYPE_TIMEOUT
                                                   : BMI_ERROR_TYPE_SYSTEM));
        }
        n = recv(m->fd, m->in, sizeof(m->in), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            free(b.s);
            return msg_fail(m, bmi_err(loc, n == 0 ? BMI_ERROR_TYPE_CLOSED
                                                   : BMI_ERROR_TYPE_SYSTEM));
        }
        m->in_len = (size_t)n;
    }
    b.s[--b.len] = '\0';
    if (b.len > 0 && b.s[b.len - 1] == '\r')
        b.s[--b.len] = '\0';
    *line = b.s;
    return bmi_ok();
}

static void
free_verdicts(BmiMessage *m)
{
    for (int i = 0; i < m->nverdicts; i++) {
        bmi_wire_free_verdict(&m->verdicts[i].w);
        free(m->verdicts[i].rcpts);
    }
    free(m->verdicts);
    m->verdicts = NULL;
    m->nverdicts = 0;
}

void
bmiFreeMessage(BmiMessage *message)
{
    if (message == NULL)
        return;
    if (message->fd >= 0)
        close(message->fd);
    free_verdicts(message);
    free(message);
}

BmiError
bmiInitMessage(BmiSystem *system, BmiMessage **message)
{
    BmiMessage *m;
    BmiError e;
    char *greeting;

    *message = NULL;
    if (system == NULL)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    if ((m = calloc(1, sizeof(*m))) == NULL)
        return bmi_err(BMI_ERROR_LOC_CONNECT, BMI_ERROR_TYPE_MEMORY);
    m->sys = system;
    m->fd = -1;
    e = msg_connect(m);
    if (!e.fatal)
        e = msg_read_line(m, BMI_ERROR_LOC_CONNECT, system->connect_ms,
                          &greeting);
    if (!e.fatal) {
        if (strncmp(greeting, "BMI1", 4) != 0 ||
            (greeting[4] != '\0' && greeting[4] != ' '))
            e = msg_fail(
                m, bmi_err(BMI_ERROR_LOC_CONNECT, BMI_ERROR_TYPE_PROTOCOL));
        free(greeting);
    }
    if (!e.fatal)
        e = msg_write(m, "MESSAGE\n", 8);
    if (e.fatal) {
        bmiFreeMessage(m);
        return e;
    }
    *message = m;
    return bmi_ok();
}

/* Sends "WORD xtext(arg)\n". */
static BmiError
send_word(BmiMessage *m, const char *word, const char *arg)
{
    struct bmi_str b;
    BmiError e;

    if (m == NULL)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    if (m->failed.fatal)
        return m->failed;
    if (m->ended)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    bmi_str_init(&b);
    bmi_str_addc(&b, word);
    if (arg != NULL) {
        bmi_str_addc(&b, " ");
        bmi_str_add_xtext(&b, arg);
    }
    bmi_str_addc(&b, "\n");
    if (b.failed) {
        free(b.s);
        return msg_fail(m, bmi_err(BMI_ERROR_LOC_SEND, BMI_ERROR_TYPE_MEMORY));
    }
    e = msg_write(m, b.s, b.len);
    free(b.s);
    return e;
}

/* Sends "WORD LEN\n" and the data. */
static BmiError
send_data(BmiMessage *m, const char *word, const char *data, int len)
{
    char head[64];
    BmiError e;

    if (m == NULL || data == NULL || len < 0)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    if (m->failed.fatal)
        return m->failed;
    snprintf(head, sizeof(head), "%s %d\n", word, len);
    e = msg_write(m, head, strlen(head));
    if (!e.fatal)
        e = msg_write(m, data, (size_t)len);
    return e;
}

BmiError
bmiProcessConnection(char *ip_address, BmiMessage *message)
{
    return send_word(message, "IP", ip_address ? ip_address : "");
}

BmiError
bmiProcessFROM(char *address, BmiMessage *message)
{
    return send_word(message, "FROM", address ? address : "");
}

BmiError
bmiOptinInit(BmiOptin **optin)
{
    *optin = calloc(1, sizeof(**optin));
    return *optin ? bmi_ok()
                  : bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_MEMORY);
}

void
bmiOptinFree(BmiOptin *optin)
{
    if (optin == NULL)
        return;
    for (int i = 0; i < optin->n; i++)
        free(optin->items[i]);
    free(optin->items);
    free(optin);
}

BmiError
bmiOptinMset(BmiOptin *optin, const char *list, char sep)
{
    const char *p = list;

    if (optin == NULL || list == NULL)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    while (*p != '\0') {
        const char *end = strchr(p, sep);
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *item, **grown;
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n > 0) {
            if ((item = strndup(p, n)) == NULL)
                return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_MEMORY);
            grown =
                realloc(optin->items, sizeof(*grown) * (size_t)(optin->n + 1));
            if (grown == NULL) {
                free(item);
                return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_MEMORY);
            }
            optin->items = grown;
            optin->items[optin->n++] = item;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return bmi_ok();
}

BmiError
bmiAccumulateTO(char *address, BmiOptin *optin, BmiMessage *message)
{
    BmiError e = send_word(message, "TO", address ? address : "");

    for (int i = 0; optin != NULL && !e.fatal && i < optin->n; i++)
        e = send_word(message, "OPTIN", optin->items[i]);
    return e;
}

BmiError
bmiEndTO(BmiMessage *message)
{
    return send_word(message, "ENDTO", NULL);
}

BmiError
bmiAccumulateHeaders(const char *text, int len, BmiMessage *message)
{
    return send_data(message, "HEADER", text, len);
}

BmiError
bmiEndHeaders(BmiMessage *message)
{
    return send_word(message, "ENDHEADERS", NULL);
}

BmiError
bmiAccumulateBody(const char *text, int len, BmiMessage *message)
{
    return send_data(message, "BODY", text, len);
}

BmiError
bmiEndBody(BmiMessage *message)
{
    return send_word(message, "ENDBODY", NULL);
}

static int
verdict_init(BmiVerdict *v)
{
    if (v->w.nrcpts == 0)
        return 0;
    v->rcpts = calloc((size_t)v->w.nrcpts, sizeof(*v->rcpts));
    if (v->rcpts == NULL)
        return -1;
    for (int i = 0; i < v->w.nrcpts; i++)
        v->rcpts[i].address = v->w.rcpts[i];
    return 0;
}

/* One line of the answer: 1 for the end, 0 for a verdict, or -1 with
 * *e set. */
static int
answer_line(BmiMessage *m, const char *line, BmiError *e)
{
    struct bmi_wire_verdict w;
    BmiVerdict *grown;

    switch (bmi_wire_parse_answer(line, &w)) {
    case BMI_ANSWER_END:
        return 1;
    case BMI_ANSWER_ERROR:
        *e = bmi_err(BMI_ERROR_LOC_ANSWER, BMI_ERROR_TYPE_SERVER);
        return -1;
    case BMI_ANSWER_VERDICT:
        break;
    default:
        *e = bmi_err(BMI_ERROR_LOC_ANSWER, BMI_ERROR_TYPE_PROTOCOL);
        return -1;
    }
    grown =
        m->nverdicts < BMI_MAX_ANSWER
            ? realloc(m->verdicts, sizeof(*grown) * (size_t)(m->nverdicts + 1))
            : NULL;
    if (grown == NULL) {
        bmi_wire_free_verdict(&w);
        *e = bmi_err(BMI_ERROR_LOC_ANSWER, m->nverdicts < BMI_MAX_ANSWER
                                               ? BMI_ERROR_TYPE_MEMORY
                                               : BMI_ERROR_TYPE_PROTOCOL);
        return -1;
    }
    m->verdicts = grown;
    memset(&grown[m->nverdicts], 0, sizeof(*grown));
    grown[m->nverdicts].w = w;
    m->nverdicts++;
    if (verdict_init(&grown[m->nverdicts - 1]) < 0) {
        *e = bmi_err(BMI_ERROR_LOC_ANSWER, BMI_ERROR_TYPE_MEMORY);
        return -1;
    }
    return 0;
}

BmiError
bmiEndMessage(BmiMessage *message)
{
    BmiError e = send_word(message, "END", NULL);
    char *line;
    int rc;

    if (e.fatal)
        return e;
    message->ended = 1;
    for (;;) {
        e = msg_read_line(message, BMI_ERROR_LOC_ANSWER, message->sys->io_ms,
                          &line);
        if (e.fatal)
            return e;
        rc = answer_line(message, line, &e);
        free(line);
        if (rc < 0) {
            free_verdicts(message);
            return msg_fail(message, e);
        }
        if (rc > 0)
            break;
    }
    close(message->fd);
    message->fd = -1;
    return bmi_ok();
}

/* ---- verdicts ---- */

BmiError
bmiAccessFirstVerdict(BmiMessage *message, const BmiVerdict **verdict)
{
    *verdict = message != NULL && message->nverdicts > 0 ? &message->verdicts[0]
                                                         : NULL;
    return message != NULL ? bmi_ok()
                           : bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
}

BmiError
bmiAccessNextVerdict(BmiMessage *message, const BmiVerdict *current,
                     const BmiVerdict **verdict)
{
    *verdict = NULL;
    if (message == NULL || current < message->verdicts ||
        current >= message->verdicts + message->nverdicts)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    if (current + 1 < message->verdicts + message->nverdicts)
        *verdict = current + 1;
    return bmi_ok();
}

BmiError
bmiCreateStrFromVerdict(const BmiVerdict *verdict, char **str)
{
    char *line;

    *str = NULL;
    if (verdict == NULL)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    if ((line = bmi_wire_format_verdict(&verdict->w)) == NULL)
        return bmi_err(BMI_ERROR_LOC_VERDICT, BMI_ERROR_TYPE_MEMORY);
    *str = bmi_b64_encode(line, strlen(line));
    free(line);
    return *str ? bmi_ok()
                : bmi_err(BMI_ERROR_LOC_VERDICT, BMI_ERROR_TYPE_MEMORY);
}

BmiError
bmiCreateVerdictFromStr(const char *str, BmiVerdict **verdict)
{
    BmiVerdict *v;
    char *line;

    *verdict = NULL;
    if (str == NULL || (line = bmi_b64_decode(str, NULL)) == NULL)
        return bmi_err(BMI_ERROR_LOC_VERDICT, BMI_ERROR_TYPE_SYNTAX);
    if ((v = calloc(1, sizeof(*v))) == NULL) {
        free(line);
        return bmi_err(BMI_ERROR_LOC_VERDICT, BMI_ERROR_TYPE_MEMORY);
    }
    if (strlen(line) > BMI_LINE_MAX ||
        bmi_wire_parse_verdict(line, &v->w) < 0) {
        free(line);
        free(v);
        return bmi_err(BMI_ERROR_LOC_VERDICT, BMI_ERROR_TYPE_SYNTAX);
    }
    free(line);
    if (verdict_init(v) < 0) {
        bmiFreeVerdict(v);
        return bmi_err(BMI_ERROR_LOC_VERDICT, BMI_ERROR_TYPE_MEMORY);
    }
    *verdict = v;
    return bmi_ok();
}

BmiError
bmiCreateOldStrFromVerdict(const BmiVerdict *verdict, void *str)
{
    char **out = str;
    struct bmi_str b;

    *out = NULL;
    if (verdict == NULL)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    bmi_str_init(&b);
    bmi_str_addc(&b, "rules=");
    for (int i = 0; i < verdict->w.nrules; i++) {
        char num[16];
        snprintf(num, sizeof(num), "%s%d", i ? "," : "", verdict->w.rules[i]);
        bmi_str_addc(&b, num);
    }
    if (!b.failed)
        *out = bmi_b64_encode(b.s, b.len);
    free(b.s);
    return *out ? bmi_ok()
                : bmi_err(BMI_ERROR_LOC_VERDICT, BMI_ERROR_TYPE_MEMORY);
}

void
bmiFreeStr(char *str)
{
    free(str);
}

void
bmiFreeVerdict(BmiVerdict *verdict)
{
    if (verdict == NULL)
        return;
    bmi_wire_free_verdict(&verdict->w);
    free(verdict->rcpts);
    free(verdict);
}

BmiError
bmiVerdictError(const BmiVerdict *verdict)
{
    if (verdict == NULL)
        return bmi_err(BMI_ERROR_LOC_CALL, BMI_ERROR_TYPE_USAGE);
    return verdict->w.kind == BMI_KIND_ERROR
               ? bmi_err(BMI_ERROR_LOC_VERDICT, BMI_ERROR_TYPE_SERVER)
               : bmi_ok();
}

BmiBoolean
bmiVerdictDestinationIsDefault(const BmiVerdict *verdict)
{
    return verdict != NULL && verdict->w.kind == BMI_KIND_DEFAULT ? BMI_TRUE
                                                                  : BMI_FALSE;
}

char *
bmiVerdictAccessDestination(const BmiVerdict *verdict)
{
    return verdict != NULL && verdict->w.kind == BMI_KIND_ALTERNATE
               ? verdict->w.alt
               : NULL;
}

BmiBoolean
bmiVerdictRuleFired(const BmiVerdict *verdict, int rule)
{
    for (int i = 0; verdict != NULL && i < verdict->w.nrules; i++)
        if (verdict->w.rules[i] == rule)
            return BMI_TRUE;
    return BMI_FALSE;
}

const BmiRecipient *
bmiVerdictAccessFirstRecipient(const BmiVerdict *verdict)
{
    return verdict != NULL && verdict->w.nrcpts > 0 ? &verdict->rcpts[0] : NULL;
}

const BmiRecipient *
bmiVerdictAccessNextRecipient(const BmiVerdict *verdict,
                              const BmiRecipient *current)
{
    if (verdict == NULL || current < verdict->rcpts ||
        current + 1 >= verdict->rcpts + verdict->w.nrcpts)
        return NULL;
    return current + 1;
}

char *
bmiRecipientAccessAddress(const BmiRecipient *recipient)
{
    return recipient != NULL ? recipient->address : NULL;
}
