"""The deterministic core: domain model, data integration, analytics and optimization.

Pure functions over pandas frames and pydantic models; no LLM, no web. The only I/O lives
in ``tools.data.readers`` (reading exports) and ``tools.workspace`` (the ledger store).
"""
