"""Getting contacts in and out: vCard, CSV, JSON, Markdown notes, iCalendar, import, export, duplicates and merging.

May import: follow-ups (for the calendar feed), search, store, format and the leaf modules.
"""
