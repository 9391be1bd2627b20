"""An SMTP sink for Lango's tests: aiosmtpd hands each message to Sink, which appends it
to a file as one JSON line (envelope, headers and the decoded text part).

Run as: python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink OUTFILE
"""

import email
import email.policy
import json


class Sink:
    def __init__(self, path):
        self.path = path

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("Sink needs one argument: the file to append messages to")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "body": part.get_content() if part is not None else "",
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"
