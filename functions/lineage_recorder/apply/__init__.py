"""Writing lineage: the applier (the only writer), its resolver and reconciler, the lineage index, and
the gateway (the only code that calls SageMaker)."""
