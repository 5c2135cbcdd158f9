"""wanLLMDB server-side functions: FastAPI services, storage ports and adapters."""
