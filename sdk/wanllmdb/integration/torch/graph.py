"""``watch(log_graph=True)``: the module tree as one inline ``graph`` descriptor
(schemas/media_descriptors.json).

wandb fills its graph from forward hooks on the first batch (leaf modules and their output shapes).
The tree of modules is known without running anything, so it is read once at ``watch()`` time: every
module (its dotted name, class and direct parameters) and the parent → child edges between them.
"""

from __future__ import annotations

from typing import Any

from torch import nn

__all__ = ["module_graph"]


def module_graph(model: nn.Module, criterion: Any = None) -> dict[str, Any]:
    """The ``graph`` descriptor of ``model``: ``nodes`` in ``named_modules`` order (the root first,
    id 0, name ""), ``edges`` as [parent id, child id]; a module reached twice is one node."""
    ids: dict[int, int] = {}
    nodes: list[dict[str, Any]] = []
    edges: dict[tuple[int, int], None] = {}  # ordered and without repeats (a shared child)
    for name, module in model.named_modules():
        ids[id(module)] = len(nodes)
        params = [(p_name, list(p.shape), p.numel()) for p_name, p in module.named_parameters(recurse=False)]
        nodes.append(
            {
                "id": len(nodes),
                "name": name,
                "class_name": type(module).__name__,
                "parameters": [[p_name, shape] for p_name, shape, _ in params],
                "num_parameters": sum(n for _, _, n in params),
            }
        )
    for module in model.modules():
        for child in module.children():
            edges[(ids[id(module)], ids[id(child)])] = None
    descriptor: dict[str, Any] = {
        "_type": "graph",
        "format": "torch",
        "nodes": nodes,
        "edges": [list(edge) for edge in edges],
        "total_parameters": sum(p.numel() for p in model.parameters()),
    }
    if criterion is not None:
        descriptor["criterion"] = getattr(criterion, "__name__", None) or type(criterion).__name__
    return descriptor
