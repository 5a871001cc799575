/*++
 * NAME
 *	fuzz-dovecot 1
 * SUMMARY
 *	libFuzzer target for the Dovecot auth protocol, client side
 * SYNOPSIS
 *	make fuzz-dovecot [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is everything a Dovecot auth service sends on one
 *	connection (VERSION, MECH, SPID, CUID, COOKIE, DONE, then CONT,
 *	OK or FAIL lines). It is written into one end of a socket pair,
 *	which is then shut for writing, and the dovecot authenticator's
 *	session (dc_session() of src/auth/dovecot.c, compiled in here so
 *	that its static functions can be reached) reads it from the other
 *	end as it would from the auth-client socket, for the mechanism
 *	PLAIN; a challenge (CONT) is answered at once, up to 100 rounds,
 *	after which the client cancels. What the authenticator writes back
 *	is left unread; its end is non-blocking, as in dc_connect(), so a
 *	full buffer would be a write time-out, not a hang.
 *
 *	Beyond what the sanitizers catch it checks: the result is one of
 *	AUTH_OK, AUTH_FAIL, AUTH_DEFER; a deferral says why; AUTH_OK sets
 *	$auth1 from user=; nothing in $auth1 holds a TAB or LF. A failure
 *	is an abort().
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* libmxlab has its own copy of the driver; rename this one. */
#define auth_dovecot_info   fuzz_auth_dovecot_info
#define auth_dovecot_server fuzz_auth_dovecot_server
#include "../../src/auth/dovecot.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* CONT rounds answered in this input; after CONT_ROUNDS the client
 * cancels, as an SMTP client answering "*" would. Answering them all
 * would fill the unread socket buffer after some 200 rounds and turn
 * each such input into a 1 s write time-out, which slowed the target
 * from thousands of inputs a second to under a hundred. */
#define CONT_ROUNDS 100
static int rounds;

static int
answer_challenge(void *io_ctx, const char *text, char **answer)
{
    (void)io_ctx;
    (void)text;
    if (++rounds > CONT_ROUNDS)
        return AUTH_FAIL;
    *answer = (char *)"dGVzdA==";
    return AUTH_OK;
}

static int
feed(int fd, const uint8_t *data, size_t size)
{
    size_t done = 0;

    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return shutdown(fd, SHUT_WR);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct auth_dovecot ob = {.server_tls = 1, .server_timeout = 1};
    struct auth_generic g;
    struct driver_instance d;
    struct auth_server_call c;
    struct expand_ctx x;
    struct dc_conn *dc;
    struct arena *a;
    int sv[2], r;

    /* More than a socket buffer would block the write. */
    if (size > 64 * 1024)
        return 0;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    if (feed(sv[1], data, size) != 0)
        abort();
    /* Non-blocking, as dc_connect() leaves its socket: answers that fill
     * the unread buffer (thousands of CONT rounds) then time out after
     * dc->timeout instead of blocking send() for ever. */
    if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) != 0)
        abort();

    a = arena_create();
    expand_ctx_init(&x, a);
    memset(&g, 0, sizeof(g));
    memset(&d, 0, sizeof(d));
    memset(&c, 0, sizeof(c));
    d.name = "dovecot_plain";
    d.generic = &g;
    d.priv = &ob;
    g.public_name = (char *)"PLAIN";
    c.d = &d;
    c.x = &x;
    c.arena = a;
    c.data = "AGFsaWNlAHMzY3JldA==";
    c.challenge = answer_challenge;
    c.host_address = "192.0.2.7";
    c.host_port = 1234;
    c.interface_address = "127.0.0.1";
    c.interface_port = 25;
    gstr_init(&c.defer_msg, a);
    gstr_init(&c.defer_user_msg, a);
    dc = arena_alloc(a, sizeof(*dc));
    memset(dc, 0, sizeof(*dc));
    dc->fd = sv[0];
    dc->timeout = 1;
    dc->c = &c;

    rounds = 0;
    r = dc_session(&c, dc);
    if (r != AUTH_OK && r != AUTH_FAIL && r != AUTH_DEFER)
        abort();
    if (r == AUTH_DEFER && c.defer_msg.len == 0)
        abort();
    if (r == AUTH_OK && (c.nvars < 1 || c.vars[0] == NULL))
        abort();
    for (int i = 0; i < c.nvars && i < AUTH_VARS; i++)
        if (c.vars[i] != NULL && strpbrk(c.vars[i], "\t\n") != NULL)
            abort();
    close(sv[0]);
    close(sv[1]);
    arena_destroy(a);
    return 0;
}
