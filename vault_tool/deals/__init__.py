"""Deals: opportunities with an amount, a stage of the pipeline and a close date, one file each in deals/.

Holds the changes `contacts deal …` makes to a deal file (changes: add, set, move, won, lost, log,
task, rm, mv, each one commit), amounts of money summed per currency as Decimals and converted only
with vault.yaml's rates (money), and what `contacts deals` lists and `deal board` draws (board).
The file format and the pipeline are format/deal.py's; the read model is search/deals.py's.

May import: followups, search, store, format and the leaf modules (never interop, reports, mail or team).
"""
