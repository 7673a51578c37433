"""What a scripted training job is made of: its :class:`Stage` s with SageMaker's status messages, its
:class:`Metric` s, the :class:`Scenario` itself, and the metrics, images and failure the scripted jobs
(:mod:`smtui.sim.scenarios`) share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: What SageMaker says during each secondary status: (script seconds into the stage, StatusMessage).
#: LaunchingMLInstances, PreparingTrainingStack and DownloadingTrainingImage are no longer
#: statuses of their own; SageMaker reports them as messages of Starting and Training.
MESSAGES: Mapping[str, tuple[tuple[float, str], ...]] = MappingProxyType(
    {
        "Pending": ((0, "Waiting for compute capacity to become available"),),
        "Starting": (
            (0, "Starting the training job"),
            (15, "Launching requested ML instances"),
            (75, "Preparing the instances for training"),
        ),
        "Downloading": ((0, "Downloading input data"),),
        "Training": (
            (0, "Downloading the training image"),
            (60, "Training image download completed. Training in progress."),
        ),
        "Uploading": ((0, "Uploading generated training model"),),
        "Completed": ((0, "Training job completed"),),
        "Failed": ((0, "Training job failed"),),
        "Interrupted": ((0, "Training job interrupted: the spot instances were reclaimed by EC2"),),
        "Restarting": ((0, "Restarting the training job from the last checkpoint"),),
        "Stopping": ((0, "Stopping the training job"),),
        "Stopped": ((0, "Training job stopped"),),
        "MaxRuntimeExceeded": ((0, "Training job runtime exceeded MaxRuntimeInSeconds provided"),),
        "MaxWaitTimeExceeded": ((0, "Training job wait time exceeded MaxWaitTimeInSeconds provided"),),
    }
)

#: Starting again after a spot interruption: capacity is scarce for a while.
SPOT_RESTART = (
    (0, "Starting the training job"),
    (10, "Insufficient capacity error from EC2 while launching instances, retrying!"),
    (70, "Launching requested ML instances"),
    (100, "Preparing the instances for training"),
)
#: A big cluster where one instance comes up unhealthy.
UNHEALTHY_START = (
    (0, "Starting the training job"),
    (20, "Launching requested ML instances"),
    (200, "Launched instance was unhealthy, replacing it!"),
    (330, "Launching requested ML instances"),
    (420, "Preparing the instances for training"),
)
#: A large image takes longer to pull.
SLOW_IMAGE = ((0, "Downloading the training image"), (150, "Training image download completed. Training in progress."))
RETRY = ((0, "Restarting the training job after an internal error (attempt 2 of 3)"),)


@dataclass(frozen=True)
class Stage:
    """One secondary status held for ``seconds`` script seconds; a final status has 0."""

    status: str
    seconds: float = 0.0
    #: (seconds into the stage, StatusMessage); empty means SageMaker's usual ones.
    messages: tuple[tuple[float, str], ...] = ()

    def message_at(self, offset: float) -> tuple[float, str]:
        """The message shown ``offset`` seconds into the stage, with the offset it appeared at."""
        messages = self.messages or MESSAGES.get(self.status, ((0, self.status),))
        shown = messages[0]
        for item in messages:
            if item[0] <= offset:
                shown = item
        return shown

    @property
    def final(self) -> bool:
        return self.seconds == 0


@dataclass(frozen=True)
class Metric:
    """A metric the algorithm logs and SageMaker extracts with ``regex``.

    Its value follows ``start`` → ``end`` exponentially with time constant
    ``tau`` (script seconds of training), with seeded relative noise. It is
    logged every ``every`` minutes of training.
    """

    name: str
    regex: str
    start: float
    end: float
    tau: float = 900.0
    noise: float = 0.01
    every: int = 1
    digits: int = 4


@dataclass(frozen=True)
class Scenario:
    """A training job's script: what it is and how its life unfolds."""

    name: str
    #: Script seconds after the origin at which the job was created.
    created: float
    stages: tuple[Stage, ...]
    #: Folder in the account's SageMaker bucket for the job's code, output and checkpoints.
    project: str
    image: str
    instance_type: str = "ml.g5.2xlarge"
    instance_count: int = 1
    volume_gb: int = 50
    metrics: tuple[Metric, ...] = ()
    hyperparameters: Mapping[str, object] = field(default_factory=dict)
    #: Script mode (framework estimators): the SDK JSON-encodes hyperparameters and adds its own.
    entry_point: str | None = "train.py"
    dataset: str = "datasets"
    channels: tuple[str, ...] = ("train", "validation")
    content_type: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    failure_reason: str | None = None
    spot: bool = False
    #: Share of the on-demand price saved by spot: BillableTimeInSeconds is scaled down by it.
    spot_savings: float = 0.7
    max_runtime: int = 86400
    max_wait: int | None = None
    #: Script seconds after creation at which the simulator calls StopTrainingJob on the job.
    stop_after: float | None = None
    vpc: bool = False
    network_isolation: bool = False
    kms: bool = True
    #: Warm pool: ResourceConfig.KeepAlivePeriodInSeconds.
    keep_alive: int | None = None
    #: Fill every member of the DescribeTrainingJob output shape (see :mod:`smtui.sim.maximal`).
    maximal: bool = False
    #: RemoteDebugConfig.EnableRemoteDebug: the containers run the SSM agent, which logs to ``JOB/ssm``.
    remote_debug: bool = False
    #: What the containers print: ``STYLE`` or ``STYLE/LAUNCHER`` (see :mod:`smtui.sim.loglines`).
    log_style: str = "script"
    #: The hyperparameter tuning job that launched this job, if one did (see :mod:`smtui.sim.tuning`).
    tuning_job: str | None = None
    #: How its instances are used while it trains (see :mod:`smtui.sim.hosts`): ``busy``, ``memory-leak``
    #: (GPU memory fills until the job fails) or ``input-bound`` (idle GPUs, pegged CPUs).
    host_profile: str = "busy"
    #: The host (N of ``algo-N``) that lags far behind the others, if one does.
    straggler: int | None = None
    #: Real seconds before the origin the whole script is moved to: a job that ran weeks ago stays weeks old
    #: at any speed (``created`` is script time, which a fast simulator compresses).
    ago: float = 0.0


# -- metrics, as the usual containers log them ---------------------------------------

HF_LOSS = Metric("train:loss", r"'loss': ([0-9]+\.[0-9]+)", 0.69, 0.21, tau=700, noise=0.04)
HF_EVAL_LOSS = Metric("validation:loss", r"'eval_loss': ([0-9]+\.[0-9]+)", 0.66, 0.25, tau=800, noise=0.02, every=5)
HF_EVAL_ACC = Metric(
    "validation:accuracy", r"'eval_accuracy': ([0-9]+\.[0-9]+)", 0.52, 0.93, tau=750, noise=0.004, every=5
)
LM_LOSS = Metric("train:loss", r"'loss': ([0-9]+\.[0-9]+)", 2.45, 1.12, tau=1500, noise=0.02)
LM_EVAL_LOSS = Metric("validation:loss", r"'eval_loss': ([0-9]+\.[0-9]+)", 2.38, 1.21, tau=1700, noise=0.01, every=5)
LM_TOKENS = Metric(
    "train:tokens_per_second", r"tokens/s: ([0-9]+\.?[0-9]*)", 41000.0, 46500.0, tau=240, noise=0.015, digits=1
)
GPT_LOSS = Metric("train:loss", r"loss ([0-9]+\.[0-9]+)", 10.9, 3.3, tau=900, noise=0.01)
GPT_MFU = Metric("train:mfu", r"mfu ([0-9]+\.[0-9]+)%", 31.0, 38.5, tau=300, noise=0.02, digits=2)
CV_LOSS = Metric("train:loss", r"Train: \[\d+\].*Loss ([0-9.]+)", 6.9, 1.35, tau=1100, noise=0.02)
CV_TOP1 = Metric("validation:accuracy", r"Test: .*Acc@1 ([0-9.]+)", 0.001, 0.761, tau=1200, noise=0.01, every=5)
XGB_TRAIN = Metric(
    "train:rmse",
    r".*\[[0-9]+\].*#011train-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*",
    0.482,
    0.208,
    tau=600,
    noise=0.005,
)
XGB_VALID = Metric(
    "validation:rmse",
    r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*",
    0.497,
    0.251,
    tau=650,
    noise=0.006,
)
NXD_LOSS = Metric("train:loss", r"step_loss : ([0-9]+\.[0-9]+)", 11.6, 1.58, tau=86400, noise=0.006)
NXD_THROUGHPUT = Metric(
    "train:throughput", r"throughput : ([0-9]+\.[0-9]+) seq/s", 88.0, 117.5, tau=1800, noise=0.01, digits=2
)
WER = Metric("validation:wer", r"'eval_wer': ([0-9]+\.[0-9]+)", 38.0, 11.4, tau=1400, noise=0.01, every=5, digits=2)

# -- images (account and tag as in AWS's published registries) -------------------------

DLC = "763104351884.dkr.ecr.{region}.amazonaws.com"
HF_IMAGE = DLC + "/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04"
PYTORCH_IMAGE = DLC + "/pytorch-training:2.5.1-gpu-py311-cu124-ubuntu22.04-sagemaker"
XGBOOST_IMAGE = "{xgboost}.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1"
NEURON_IMAGE = DLC + "/pytorch-training-neuronx:2.1.2-neuronx-py310-sdk2.20.0-ubuntu20.04"

OOM = (
    "AlgorithmError: ExecuteUserScriptError:\n"
    "ExitCode 1\n"
    'ErrorMessage "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total '
    "capacity of 22.05 GiB of which 1.12 GiB is free. Including non-PyTorch memory, this process has 20.93 GiB "
    "memory in use. Of the allocated memory 19.84 GiB is allocated by PyTorch, and 788.41 MiB is reserved by "
    'PyTorch but unallocated."\n'
    'Command "/opt/conda/bin/python3.10 run_clm.py --model_id meta-llama/Meta-Llama-3-8B --epochs 2 '
    '--per_device_train_batch_size 16 --lora_r 16", exit code: 1'
)
