"""contacts check: problems with path, line and message (run), the checks of one file (files), of
the vault as a whole (vaultwide), a contact's relations (relations) and documents (documents),
unquoted values YAML reads as
numbers or booleans (scalars) and the
minimal rewrites of check --fix (fix), paths git has not merged (unmerged).
"""
