"""Reports: segments (saved searches), the pipeline report and its text, SVG and HTML forms, and stage
timelines from git history (history), and who knows whom: relations both ways and the graph (graph).

May import: follow-ups, search, store, format and the leaf modules.
"""
