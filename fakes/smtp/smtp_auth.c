/*++
 * NAME
 *	smtp_auth 3
 * SUMMARY
 *	the challenge-response part of AUTH
 * SYNOPSIS
 *	#include "smtp_fake.h"
 *
 *	int	smtp_auth_exchange(struct smtp_session *s, const char *mech,
 *				const char *initial)
 * DESCRIPTION
 *	fake-smtp checks no credentials: a script decides the outcome of
 *	AUTH with an "auth" rule. What it does do is the exchange a client
 *	expects before that outcome, so real clients get as far as it:
 *
 *	PLAIN without an initial response: one "334 " prompt.
 *	LOGIN: "334 VXNlcm5hbWU6" (Username:) unless the initial response
 *	gave the name, then "334 UGFzc3dvcmQ6" (Password:).
 *	CRAM-MD5: one 334 with a fixed challenge.
 *	Anything else without an initial response: one "334 " prompt.
 *
 *	The client's answers are recorded in the transcript like any line.
 * DIAGNOSTICS
 *	smtp_auth_exchange() returns FAKE_IO_OK when the exchange is done,
 *	1 when the client cancelled it with "*" (after the 501 reply), or
 *	why the connection ended.
 *--*/

#include <string.h>
#include <strings.h>

#include "smtp_fake.h"

/* "<1896.697170952@fake-smtp.test.ex>" in base64. */
#define SMTP_CRAM_CHALLENGE "PDE4OTYuNjk3MTcwOTUyQGZha2Utc210cC50ZXN0LmV4Pg=="

static int
smtp_auth_prompt(struct smtp_session *s, const char *prompt)
{
    struct fake_buf wire, answer;
    int rc;

    fake_buf_init(&wire);
    fake_buf_init(&answer);
    fake_buf_printf(&wire, "334 %s\r\n", prompt);
    rc = fake_conn_send(s->c, wire.data, wire.len);
    if (rc == FAKE_IO_OK)
        rc = fake_conn_read_line(s->c, &answer, 16384);
    if (rc == FAKE_IO_OK && (strncmp(answer.data, "*\r\n", 3) == 0 ||
                             strcmp(answer.data, "*\n") == 0))
        rc = smtp_reply(s, SMTP_AUTH, NULL, 501, "5.0.0 AUTH cancelled") ==
                     FAKE_IO_OK
                 ? 1
                 : FAKE_IO_CLOSED;
    fake_buf_free(&wire);
    fake_buf_free(&answer);
    return rc == FAKE_IO_TOOLONG ? FAKE_IO_OK : rc;
}

int
smtp_auth_exchange(struct smtp_session *s, const char *mech,
                   const char *initial)
{
    int rc;

    if (strcasecmp(mech, "LOGIN") == 0) {
        if (initial == NULL &&
            (rc = smtp_auth_prompt(s, "VXNlcm5hbWU6")) != FAKE_IO_OK)
            return rc;
        return smtp_auth_prompt(s, "UGFzc3dvcmQ6");
    }
    if (strcasecmp(mech, "CRAM-MD5") == 0)
        return smtp_auth_prompt(s, SMTP_CRAM_CHALLENGE);
    if (initial == NULL)
        return smtp_auth_prompt(s, "");
    return FAKE_IO_OK;
}
