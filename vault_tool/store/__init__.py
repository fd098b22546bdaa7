"""The store: a vault as files in a git repository, and the one way the tool changes them.

Holds opening a vault and resolving contacts (vault); creating one (create); the write transaction
that locks, writes atomically and commits exactly the tool's change (transaction) and the changes
built on it (mutations), made to every contact a query picks in one commit (bulk); relations written and removed (relating) and the references `mv` and
`merge` rewrite and the documents they carry (references); a contact's documents attached and
detached (attachments); taking a change back with a commit that reverts it (undo); git's command
line (git), commits and identity (commits), bulk commits through fast-import (fastimport) and the
clone's git config for the merge driver (gitconfig).

May import: format and the leaf modules. Never search, follow-ups, interop, reports, team or cli.
"""
