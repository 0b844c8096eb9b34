"""The wire: how antsclient's models become the JSON ANTS reads and back.

Everything protocol-specific lives in this package, so a vendor holding another ANTS interface
swaps it and keeps the rest.
"""
