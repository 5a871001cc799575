#!/bin/sh
# hop.sh CONF IN IP: hands a message to the MTA under test ($MTA) with
# configuration CONF, as an SMTP client at address IP would (-oMa IP
# -bs, -odi so that delivery is done when it returns). IN is a message
# as fake-smtp stores it (MAIL FROM and RCPT TO lines, an empty line,
# the message), so that the output of one hop is the input of the next.
# The MTA's SMTP replies go to $DIR/hop.out.
conf=$1 in=$2 ip=$3
{
    printf 'EHLO hop.example\r\n'
    sed -n '/^$/q; /^MAIL FROM:/p; /^RCPT TO:/p' "$in"
    printf 'DATA\r\n'
    sed '1,/^$/d; s/^\./../' "$in"
    printf '.\r\nQUIT\r\n'
} | "$MTA" -C "$conf" -oMa "$ip" -odi -bs >> "${DIR:-.}/hop.out" 2>&1
