"""Working as a team: checking a vault (check/), the three-way merge driver (mergedriver), sync,
a contact's history from git (history) and owners with the CODEOWNERS block (owners).

May import: interop, reports, follow-ups, search, store, format and the leaf modules.
"""
