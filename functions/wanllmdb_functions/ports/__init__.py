"""Storage ports: the only storage interfaces domain services may depend on."""

from .blob_store import BlobInfo, BlobStore, ObjectLocation, PresignedRequest
from .item_store import Condition, Item, ItemStore, Page, PartitionChanges, TransactOp

__all__ = [
    "BlobInfo",
    "BlobStore",
    "Condition",
    "Item",
    "ItemStore",
    "ObjectLocation",
    "Page",
    "PartitionChanges",
    "PresignedRequest",
    "TransactOp",
]
