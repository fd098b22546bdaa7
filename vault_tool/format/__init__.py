"""The file format: what a contact file and vault.yaml are, read and written without loss.

Holds YAML loading where strings stay strings (yamlsafe) and minimal-diff edits of front matter
(yamledit); the Markdown body with its notes, interactions and tasks (body); the contact file itself
(contact); typed field values, dates, handles and uids (fields, dates, handles, ids); the known
field names and slips of them (fieldnames); the region a contact's phone numbers are read in
(regions); where things are in a vault (layout); vault.yaml and minimal edits of it (config,
configedit); relations between contacts, their types and inverses (relations); a contact's
documents, their folder and names (documents); and the field
table (fieldtable) that the index, the query language and the checks
derive from.

May import: the standard library, yaml, phonenumbers, pycountry, rapidfuzz (fieldnames), and
vault_tool's leaf modules (errors, fileio, output). Nothing here knows about git, the index or the command line.
"""
