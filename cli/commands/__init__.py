"""The command groups of ``mlc``; each module exposes ``register(app)``."""
