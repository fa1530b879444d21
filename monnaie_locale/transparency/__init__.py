"""Provable backing: the journal's Merkle tree, signed checkpoints, witnesses, proofs of
liabilities and the reserve's documents.

The hashing and the formats are :mod:`monnaie_locale.verify`'s, the offline verifier's
own, so what the service publishes and what an outsider checks are computed by one code.
"""
