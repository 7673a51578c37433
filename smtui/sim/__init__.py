"""A local SageMaker, CloudWatch and CloudWatch Logs endpoint that plays out scripted training jobs.

It speaks the services' wire protocols as botocore does, so aiobotocore,
boto3, the AWS CLI and the SageMaker Python SDK can all be pointed at it
(``--endpoint-url``), and it is as rough as the services are (see
:mod:`smtui.sim.realism`). Used by ``smtui demo`` (in-process), ``smtui sim``
(standalone) and the tests. Nothing here imports Textual.

The names below are loaded when first used, so that importing one module of
the package (the command line's options, say) does not load the server.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name → the module that defines it.
_EXPORTS = {
    "Clock": "smtui.clock",
    "FrozenClock": "smtui.clock",
    "SystemClock": "smtui.clock",
    "FaultInjector": "smtui.sim.faults",
    "Faults": "smtui.sim.faults",
    "Metric": "smtui.sim.scenarios",
    "Scenario": "smtui.sim.scenarios",
    "Stage": "smtui.sim.scenarios",
    "default_scenarios": "smtui.sim.scenarios",
    "Realism": "smtui.sim.realism",
    "Regions": "smtui.sim.regions",
    "regional": "smtui.sim.regions",
    "RunningSimulator": "smtui.sim.server",
    "SimulatorServer": "smtui.sim.server",
    "serve": "smtui.sim.server",
    "start_in_thread": "smtui.sim.server",
    "Simulator": "smtui.sim.simulator",
    "SimError": "smtui.sim.wire",
    "ParameterRange": "smtui.sim.tuning",
    "TuningJob": "smtui.sim.tuning",
    "default_tuning_jobs": "smtui.sim.tuning",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
