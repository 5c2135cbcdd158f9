"""wanLLMDB server-side functions: FastAPI services, storage ports and adapters."""

__version__ = "0.1.0"
