"""Follow-ups: tasks, appointments, keep-in-touch cadences, birthdays and stale contacts.

Holds the agenda as data (agenda), its text and JSON forms (text), what tasks, stale, agenda and
remind print, each contact's rows kept between runs (rows), and the edits of task, done and meet
(edits). May import: search, store, format and the leaf modules.
"""
