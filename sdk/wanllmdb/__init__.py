"""wanLLMDB: experiment tracking on an open Parquet lake, a drop-in for the wandb API."""

__version__ = "0.1.0"
