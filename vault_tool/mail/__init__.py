"""Mail in and out: mail files logged as `email` interactions (`contacts mail log`); templates sent (`mail send`).

Holds reading messages from an .eml file, standard input, an mbox or a Maildir (sources), what a
message says (message: its addresses, date, Message-ID, list traffic; text: its short text), and
logging them with the contacts whose addresses they carry, in one commit (logbook).
Python's own `email` (policy.default) and `mailbox` read the messages.

Mail out (`contacts mail send`): the vault's templates/NAME.md and their placeholders (templates), how
messages leave, per user: SMTP or a sendmail command (transport), and sending one message per contact
a query picks, logged through the logbook (sending); drip sequences, sequences/NAME.yaml: templates sent
one after another to the contacts enrolled, each step recorded in the contact's front matter (sequences).

May import: followups, search, store, format and the leaf modules (never interop or reports).
"""
