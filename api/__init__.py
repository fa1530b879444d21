"""The HTTP API: a FastAPI application over the core, built by :func:`api.app.create_app`.

Nothing is imported here, so that importing one module of the API (its problems, its
schemas) never builds the whole application.
"""
