"""The pure draw engine (riskctl-draw/1): no Flask, no database.

``manifest`` parses and checks a manifest document, ``draw`` runs the draw and gives
its digests and result, ``cost`` estimates and bounds the work of a run.
"""
