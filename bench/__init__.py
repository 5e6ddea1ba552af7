"""The recorder's benchmark: SageMaker calls, throughput, scaling, cold start and asset size.

Run it with ``make bench`` (``python -m bench.run``); bench/README.md explains the figures.
"""
