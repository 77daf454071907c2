"""Linking layer: find the graph's entities in a question with spaCy, the graph being the gazetteer."""
