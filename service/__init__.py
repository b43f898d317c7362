"""The HTTP service: a FastAPI app over the `matcher` core."""
