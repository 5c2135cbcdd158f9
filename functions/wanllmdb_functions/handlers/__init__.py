"""Lambda entry points: one module per function, each exposing `handler` (Mangum over a FastAPI app)."""
