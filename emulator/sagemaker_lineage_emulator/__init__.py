"""A faithful local stand-in for the SageMaker ML-lineage APIs, grafted onto moto.

Usage::

    from moto import mock_aws
    import sagemaker_lineage_emulator as emulator

    emulator.install()
    with mock_aws():
        boto3.client("sagemaker").create_artifact(...)
"""

from sagemaker_lineage_emulator.install import install
from sagemaker_lineage_emulator.settings import (
    DEFAULT_QUOTAS,
    EmulatorSettings,
    FaultInjection,
    configure,
    current,
    reset,
)

__all__ = ["DEFAULT_QUOTAS", "EmulatorSettings", "FaultInjection", "configure", "current", "install", "reset"]
