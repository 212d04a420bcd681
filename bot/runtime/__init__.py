"""The process: the factdesk CLI, serve (every surface in one loop) and doctor. Wires settings, store
and surfaces.
"""
