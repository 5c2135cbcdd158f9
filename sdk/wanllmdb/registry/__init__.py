"""The model registry from the SDK and the CLI (docs/registry.md, "SDK and CLI").

paths.py spells registry paths as wandb does; linked.py reads a registered version as an ``Artifact``
through the registry's routes; linking.py links (``artifact.link``, ``run.link_artifact``);
resolve.py says whether a path names a project's artifact or a registered version; api.py is
``Api().registries()`` / ``api.registry()``; cli.py is ``wanllmdb registry``.

Nothing is imported here: `wanllmdb --help` loads cli.py, which must stay as light as click.
"""
