"""Reports: segments (saved searches), the pipeline report and its text, SVG and HTML forms, and stage
timelines from git history (history).

May import: follow-ups, search, store, format and the leaf modules.
"""
