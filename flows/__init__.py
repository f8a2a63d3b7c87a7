"""Prefect flows of story digest: orchestration only; the work lives in the ``digest`` library."""
