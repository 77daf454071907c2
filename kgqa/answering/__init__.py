"""Answering layer: turn linked entities and relation paths into answers with evidence (graph-only mode).

Rule: no HTTP and no generative model here; the faces (CLI, service) call in.
"""
