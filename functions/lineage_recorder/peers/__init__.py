"""Cross-account lineage: SameAs links between the same entity recorded in this account and in peers.

- ``keys``: which entity keys mean the same thing in another account (S3 and ECR image URIs, shared ARNs).
- ``directory``: SageMaker in the peer accounts, through the peer reader role.
- ``linker``: after a plan is applied, looks each such key up in the peers and plans SameAs links, which
  the applier writes; links a peer could not be asked about are deferred (``state.pending_links``).
"""
