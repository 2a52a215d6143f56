"""Service layer: the FastAPI app, channels and the `wcm` command line."""
