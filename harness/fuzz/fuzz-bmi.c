/*++
 * NAME
 *	fuzz-bmi 1
 * SUMMARY
 *	libFuzzer target for the BMI protocol parsers, client and server
 * SYNOPSIS
 *	make fuzz-bmi [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is given, as one NUL-terminated string, to every parser
 *	of mxlab's BMI line protocol (docs/bmi-protocol.md):
 *
 *	the client's (src/bmi/sdk): a line of the server's answer
 *	(bmi_wire_parse_answer), a stored verdict string
 *	(bmiCreateVerdictFromStr, then every verdict call on what it
 *	made, and the string made back from it), xtext and base64;
 *
 *	the server's (fakes/bmi/proto.c, fake-bmid): a client line
 *	(bm_parse_line) and xtext.
 *
 *	A verdict that parses must format back to a line that parses the
 *	same way. Anything the sanitizers report, a crash, a leak or an
 *	abort() is a bug in a parser.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmi/sdk/bmi_api.h"
#include "bmi/sdk/bmi_wire.h"

/* fake-bmid's parser is not in libmxlab (fakes link nothing from src/,
 * and src/ nothing from fakes/): its few files are compiled in here. */
#include "../../fakes/bmi/bmid.h"
#include "../../fakes/bmi/proto.c"
#include "../../fakes/common/fake_buf.c"
#include "../../fakes/common/fake_msg.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
client_side(const char *s)
{
    struct bmi_wire_verdict w, again;
    BmiVerdict *v = NULL;
    char *copy, *line, *str = NULL, *old = NULL;

    if (bmi_wire_parse_answer(s, &w) == BMI_ANSWER_VERDICT) {
        line = bmi_wire_format_verdict(&w);
        if (line == NULL || bmi_wire_parse_verdict(line, &again) != 0 ||
            again.kind != w.kind || again.nrules != w.nrules ||
            again.nrcpts != w.nrcpts || (again.alt == NULL) != (w.alt == NULL))
            abort();
        bmi_wire_free_verdict(&again);
        free(line);
    }
    bmi_wire_free_verdict(&w);
    if (bmiErrorIsFatal(bmiCreateVerdictFromStr(s, &v)) != BMI_TRUE) {
        (void)bmiVerdictError(v);
        (void)bmiVerdictDestinationIsDefault(v);
        (void)bmiVerdictAccessDestination(v);
        (void)bmiVerdictRuleFired(v, 5);
        for (const BmiRecipient *r = bmiVerdictAccessFirstRecipient(v);
             r != NULL; r = bmiVerdictAccessNextRecipient(v, r)) {
            char *a = bmiRecipientAccessAddress(r);
            char *at = strchr(a, '@');
            if (at != NULL)
                *at = '\0'; /* what Exim does to it */
        }
        if (bmiErrorIsFatal(bmiCreateStrFromVerdict(v, &str)) == BMI_TRUE)
            abort();
        (void)bmiCreateOldStrFromVerdict(v, &old);
        bmiFreeStr(str);
        bmiFreeStr(old);
        bmiFreeVerdict(v);
    }
    copy = strdup(s);
    (void)bmi_xtext_decode(copy);
    free(copy);
    free(bmi_b64_decode(s, NULL));
}

static void
server_side(const char *s)
{
    char *arg = NULL, *dec;
    const char *why;
    long len;

    (void)bm_parse_line(s, &arg, &len, &why);
    free(arg);
    if ((dec = bm_unxtext(s)) != NULL) {
        struct fake_buf b;
        fake_buf_init(&b);
        bm_xtext(&b, dec); /* and back: must decode to the same text */
        free(bm_unxtext(fake_buf_cstr(&b)));
        fake_buf_free(&b);
        free(dec);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    client_side(s);
    server_side(s);
    free(s);
    return 0;
}
