"""A local SageMaker and CloudWatch endpoint that plays out scripted training jobs.

It speaks the services' real wire protocols, so aiobotocore, boto3, the AWS
CLI and the SageMaker SDK can all be pointed at it. No Textual imports here.
"""

from smtui.clock import Clock, FrozenClock, SystemClock
from smtui.sim.scenarios import Metric, Scenario, Stage, default_scenarios
from smtui.sim.server import RunningSimulator, SimulatorServer, serve, start_in_thread
from smtui.sim.simulator import Simulator
from smtui.sim.wire import SimError

__all__ = [
    "Clock", "FrozenClock", "SystemClock", "Metric", "Scenario", "Stage", "default_scenarios",
    "RunningSimulator", "SimulatorServer", "serve", "start_in_thread", "Simulator", "SimError",
]
