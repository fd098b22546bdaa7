"""Search: the Whoosh index, the one read model every reading command answers from.

Holds the stat scan of the contact files (scan, forked), bringing the index up to date
(freshness), what the index stores for a contact (documents: its fields, and the names and text of
the files attached to it, PDFs read with pypdf; view), the Whoosh calls (index:
the schema, opening and writing; lookup: queries parsed and run, stored rows, terms; columns: the
read model's column reads; rowmemo: the rows a follow-up made of each document, kept), the
query language (query), its relation clauses (related), lead scores computed from stored facts
(scoring), search itself (run),
choosing contacts by query for other commands (selection), the matching line (snippets) and
the vault's words for completion and field-name checks (vocabulary).

Whoosh is imported only by index (and lookup and columns, through it), to keep quick commands quick.
May import: store, format and the leaf modules.
"""
