"""Graph layer: parse RDF and triple tables, persist them, and derive labels and the networkx view.

Rule: this layer knows nothing of questions, models or HTTP. It never fetches
a URL while parsing.
"""
