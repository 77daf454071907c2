"""Retrieval layer: enumerate relation paths from linked entities and rank them for a question."""
