"""Mail in: the messages of mail files logged as `email` interactions (`contacts mail log`).

Holds reading messages from an .eml file, standard input, an mbox or a Maildir (sources), what a
message says (message: its addresses, date, Message-ID, list traffic; text: its short text), and
logging them with the contacts whose addresses they carry, in one commit (logbook).
Python's own `email` (policy.default) and `mailbox` read the messages.

May import: followups, search, store, format and the leaf modules (never interop or reports).
"""
