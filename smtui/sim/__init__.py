"""A local SageMaker, CloudWatch and CloudWatch Logs endpoint that plays out scripted training jobs.

It speaks the services' wire protocols as botocore does, so aiobotocore,
boto3, the AWS CLI and the SageMaker Python SDK can all be pointed at it
(``--endpoint-url``). Used by ``smtui demo`` (in-process), ``smtui sim``
(standalone) and the tests. Nothing here imports Textual.
"""

from smtui.clock import Clock, FrozenClock, SystemClock
from smtui.sim.faults import FaultInjector, Faults
from smtui.sim.scenarios import Metric, Scenario, Stage, default_scenarios
from smtui.sim.server import RunningSimulator, SimulatorServer, serve, start_in_thread
from smtui.sim.simulator import Simulator
from smtui.sim.tuning import ParameterRange, TuningJob, default_tuning_jobs
from smtui.sim.wire import SimError

__all__ = [
    "Clock", "FrozenClock", "SystemClock",
    "FaultInjector", "Faults",
    "Metric", "Scenario", "Stage", "default_scenarios",
    "RunningSimulator", "SimulatorServer", "serve", "start_in_thread",
    "Simulator", "SimError",
    "ParameterRange", "TuningJob", "default_tuning_jobs",
]
