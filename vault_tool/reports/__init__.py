"""Reports: segments (saved searches; segment_edits saves and removes them), the report and its text, SVG and HTML forms, and stage
timelines from git history (history); the deals' pipeline report (pipeline, pipeline_text,
pipeline_formats, pipeline_html); and who knows whom: relations both ways and the graph (graph).

May import: deals, follow-ups, search, store, format and the leaf modules.
"""
