"""The mark of a logged email: a `Message-ID: <…>` line in an interaction's text.

`contacts mail log` writes it as the first line of the text of each email it logs; a line of the same
form anywhere in an interaction's text (written by hand) marks it too. The index holds the ids
(`mail_ids`), so that a message is logged once with each contact. Standard library only.
"""
from __future__ import annotations

import re

_MARK = re.compile(r"^[ \t]*Message-ID:[ \t]*<?(?P<id>[^<>\s]+)>?[ \t]*$", re.IGNORECASE | re.MULTILINE)


def normalised(message_id: str) -> str:
    """A Message-ID as compared: no angle brackets or white space, lower case."""
    return message_id.strip().strip("<>").strip().lower()


def mark_line(message_id: str) -> str:
    """The line that records ``message_id`` in an interaction's text."""
    return f"Message-ID: <{message_id.strip().strip('<>').strip()}>"


def marked_ids(text: str) -> list[str]:
    """The Message-IDs an interaction's text records (normalised)."""
    return [normalised(match.group("id")) for match in _MARK.finditer(text)]
