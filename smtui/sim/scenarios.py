"""The scripted training jobs, as data.

A :class:`Scenario` says what a job is (image, instances, data, metrics,
limits) and how its life unfolds: secondary-status :class:`Stage` s with
their lengths in script seconds, each with SageMaker's status messages over
time. Offsets are relative to the simulator's origin, so a negative
``created`` means the job was already under way when the simulator started.

Only the natural course of a job is scripted. Stops are not stages: a
scripted ``stop_after`` makes the simulator call StopTrainingJob itself, and
MaxRuntimeInSeconds / MaxWaitTimeInSeconds are enforced from the stopping
condition, so Stopping → Stopped / MaxRuntimeExceeded come out of the same
rules for every job (see :mod:`smtui.sim.lifecycle`).

Each job's containers also write to CloudWatch Logs (see :mod:`smtui.sim.log_streams`):
``log_style`` says which framework's output its log lines look like.

At ``smtui demo``'s default speed of 10, ten script minutes pass per real
minute: every job below but the two long distributed ones and the last changes
state within the first four real minutes. Those two train for days: a 4-instance FSDP
fine-tune, and a 128-instance Trainium pretraining run that was restarted once
after an internal error, so it has 256 log streams at the origin. The last job
ended three weeks before the origin, old enough that CloudWatch keeps only its
5-minute points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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

S = Stage


def default_scenarios() -> list[Scenario]:
    """The jobs of ``smtui demo`` and ``smtui sim``, in the order they are listed."""
    return [
        Scenario(  # completes: Starting → Downloading → Training → Uploading → Completed at +1440
            name="bert-base-finetune-imdb",
            created=-420,
            project="bert-imdb",
            image=HF_IMAGE,
            stages=(S("Starting", 150), S("Downloading", 120), S("Training", 1500), S("Uploading", 90), S("Completed")),
            metrics=(HF_LOSS, HF_EVAL_LOSS, HF_EVAL_ACC),
            hyperparameters={
                "model_name_or_path": "bert-base-uncased",
                "epochs": 3,
                "learning_rate": 3e-05,
                "per_device_train_batch_size": 32,
                "max_seq_length": 512,
            },
            dataset="imdb",
            environment={"HF_HUB_ENABLE_HF_TRANSFER": "1"},
            log_style="transformers",
        ),
        Scenario(  # fails with a CUDA OOM after 12 minutes of training, at +900, its GPU memory filling up
            name="llama3-8b-lora-oom",
            created=-300,
            project="llama3-lora",
            image=HF_IMAGE,
            instance_type="ml.g5.12xlarge",
            volume_gb=200,
            stages=(S("Starting", 180), S("Downloading", 240), S("Training", 780, SLOW_IMAGE), S("Failed")),
            metrics=(LM_LOSS,),
            hyperparameters={
                "model_id": "meta-llama/Meta-Llama-3-8B",
                "epochs": 2,
                "lora_r": 16,
                "lora_alpha": 32,
                "per_device_train_batch_size": 16,
                "gradient_checkpointing": False,
            },
            entry_point="run_clm.py",
            dataset="alpaca-cleaned",
            failure_reason=OOM,
            environment={
                "HF_HUB_ENABLE_HF_TRANSFER": "1",
                "PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True",
                "HF_TOKEN": "hf_sImUlAtEdToKeNfOrThEdEmOoNlY0123",
            },
            log_style="transformers",
            host_profile="memory-leak",
        ),
        Scenario(  # spot: interrupted at +180, restarts, resumes from its checkpoint, completes at +1890
            name="resnet50-spot-imagenet",
            created=-900,
            project="resnet50-imagenet",
            image=PYTORCH_IMAGE,
            instance_type="ml.p3.2xlarge",
            volume_gb=400,
            stages=(
                S("Starting", 120),
                S("Downloading", 180),
                S("Training", 780),
                S("Interrupted", 120),
                S("Restarting", 90),
                S("Starting", 120, SPOT_RESTART),
                S("Downloading", 120),
                S("Training", 1200),
                S("Uploading", 60),
                S("Completed"),
            ),
            metrics=(CV_LOSS, CV_TOP1),
            hyperparameters={
                "arch": "resnet50",
                "epochs": 90,
                "batch-size": 256,
                "lr": 0.1,
                "momentum": 0.9,
                "workers": 8,
            },
            dataset="imagenet-1k",
            content_type="application/x-image",
            spot=True,
            max_runtime=36000,
            max_wait=72000,
            log_style="imagenet",
        ),
        Scenario(  # the simulator calls StopTrainingJob 20 minutes in: Stopping at +960, Stopped at +1020
            name="xgboost-churn-stopped",
            created=-240,
            project="churn-xgboost",
            image=XGBOOST_IMAGE,
            instance_type="ml.m5.xlarge",
            volume_gb=30,
            stages=(S("Starting", 90), S("Downloading", 60), S("Training", 7200), S("Uploading", 60), S("Completed")),
            metrics=(XGB_TRAIN, XGB_VALID),
            hyperparameters={
                "num_round": 2000,
                "max_depth": 6,
                "eta": 0.05,
                "subsample": 0.8,
                "objective": "binary:logistic",
                "eval_metric": "rmse",
            },
            entry_point=None,
            dataset="telco-churn",
            content_type="text/csv",
            kms=False,
            stop_after=1200,
            log_style="xgboost",
        ),
        Scenario(  # MaxRuntimeInSeconds of 30 minutes runs out: Stopping at +1320, MaxRuntimeExceeded at +1380
            name="gpt2-pretrain-maxruntime",
            created=-600,
            project="gpt2-owt",
            image=PYTORCH_IMAGE,
            instance_type="ml.g5.4xlarge",
            volume_gb=300,
            stages=(
                S("Starting", 120),
                S("Downloading", 150),
                S("Training", 86400),
                S("Uploading", 120),
                S("Completed"),
            ),
            metrics=(GPT_LOSS, GPT_MFU),
            hyperparameters={
                "max_iters": 600000,
                "block_size": 1024,
                "batch_size": 12,
                "learning_rate": 6e-4,
                "compile": True,
            },
            dataset="openwebtext",
            max_runtime=1800,
            log_style="nanogpt",
        ),
        Scenario(  # 4 × p4d, FSDP, still training for days
            name="mistral-7b-sft-distributed",
            created=-2400,
            project="mistral-sft",
            image=HF_IMAGE,
            instance_type="ml.p4d.24xlarge",
            instance_count=4,
            volume_gb=500,
            stages=(
                S("Starting", 540, UNHEALTHY_START),
                S("Downloading", 420),
                S("Training", 3 * 86400, SLOW_IMAGE),
                S("Uploading", 600),
                S("Completed"),
            ),
            metrics=(LM_LOSS, LM_EVAL_LOSS, LM_TOKENS),
            hyperparameters={
                "model_id": "mistralai/Mistral-7B-v0.3",
                "epochs": 3,
                "per_device_train_batch_size": 4,
                "gradient_accumulation_steps": 4,
                "fsdp": "full_shard auto_wrap",
                "bf16": True,
            },
            entry_point="sft.py",
            dataset="ultrachat-200k",
            environment={
                "NCCL_DEBUG": "WARN",
                "FI_EFA_USE_DEVICE_RDMA": "1",
                "HF_HUB_ENABLE_HF_TRANSFER": "1",
                "WANDB_API_KEY": "0123456789abcdef0123456789abcdef01234567",
            },
            max_runtime=432000,
            vpc=True,
            log_style="transformers",
        ),
        Scenario(  # every field of the model filled; finished before the origin
            name="llama-finetune-full-config",
            created=-3000,
            project="llama-finetune",
            image=PYTORCH_IMAGE,
            instance_type="ml.p4de.24xlarge",
            instance_count=2,
            volume_gb=1000,
            stages=(
                S("Pending", 90),
                S("Starting", 120),
                S("Downloading", 200),
                S("Training", 600),
                S("Restarting", 60, RETRY),
                S("Starting", 120),
                S("Downloading", 120),
                S("Training", 1200),
                S("Uploading", 120),
                S("Completed"),
            ),
            metrics=(LM_LOSS, LM_EVAL_LOSS, HF_EVAL_ACC),
            hyperparameters={
                "model_id": "meta-llama/Meta-Llama-3-8B",
                "epochs": 3,
                "learning_rate": 2e-05,
                "per_device_train_batch_size": 8,
                "bf16": True,
                "lora": False,
            },
            dataset="dolly-15k",
            environment={"NCCL_DEBUG": "WARN", "FI_EFA_USE_DEVICE_RDMA": "1", "TORCH_NCCL_ASYNC_ERROR_HANDLING": "1"},
            failure_reason="InternalServerError: We encountered an internal error. Please try again.",
            spot=True,
            max_runtime=86400,
            max_wait=172800,
            vpc=True,
            network_isolation=True,
            keep_alive=1800,
            maximal=True,
            remote_debug=True,
            log_style="transformers/mpirun",
        ),
        Scenario(  # waits for capacity (Pending) for 6 minutes, trains from +540, completes at +3000; decoding
            # the audio on the CPU cannot keep up with the GPU, which idles at around 30 %
            name="whisper-small-finetune-cv",
            created=-60,
            project="whisper-cv17",
            image=HF_IMAGE,
            instance_type="ml.g6.2xlarge",
            volume_gb=100,
            stages=(
                S("Pending", 360),
                S("Starting", 150),
                S("Downloading", 90),
                S("Training", 2400),
                S("Uploading", 60),
                S("Completed"),
            ),
            metrics=(HF_LOSS, WER),
            hyperparameters={
                "model_name_or_path": "openai/whisper-small",
                "language": "hi",
                "max_steps": 4000,
                "learning_rate": 1e-05,
                "per_device_train_batch_size": 16,
            },
            entry_point="run_speech_recognition_seq2seq.py",
            dataset="common-voice-17-hi",
            keep_alive=600,
            log_style="transformers",
            host_profile="input-bound",
        ),
        Scenario(  # 128 × trn1: an internal error after 36 hours, restarted, training for days: 256 log streams;
            # algo-77 lags far behind the other hosts
            name="llama2-70b-pretrain-trn1",
            created=-3 * 86400,
            project="llama2-70b-pretrain",
            image=NEURON_IMAGE,
            instance_type="ml.trn1.32xlarge",
            instance_count=128,
            volume_gb=512,
            stages=(
                S("Starting", 900, UNHEALTHY_START),
                S("Downloading", 1800),
                S("Training", 129600, SLOW_IMAGE),
                S("Restarting", 600, RETRY),
                S("Starting", 600),
                S("Downloading", 900),
                S("Training", 14 * 86400, SLOW_IMAGE),
                S("Uploading", 1800),
                S("Completed"),
            ),
            metrics=(NXD_LOSS, NXD_THROUGHPUT),
            hyperparameters={
                "model_id": "meta-llama/Llama-2-70b-hf",
                "tensor_parallel_size": 32,
                "pipeline_parallel_size": 8,
                "global_batch_size": 1024,
                "seq_len": 4096,
                "max_steps": 120000,
                "learning_rate": 1.5e-04,
                "use_zero1_optimizer": True,
            },
            entry_point="run_llama_nxd.py",
            dataset="redpajama-v2-en",
            environment={
                "FI_PROVIDER": "efa",
                "FI_EFA_USE_DEVICE_RDMA": "1",
                "FI_EFA_FORK_SAFE": "1",
                "NEURON_RT_ASYNC_EXEC_MAX_INFLIGHT_REQUESTS": "3",
                "XLA_USE_BF16": "1",
                "NEURON_CC_FLAGS": "--model-type transformer --distribution-strategy llm-training",
            },
            max_runtime=28 * 86400,
            vpc=True,
            log_style="neuronx",
            straggler=77,
        ),
        Scenario(  # finished three weeks ago: CloudWatch has kept only its 5-minute points
            name="t5-base-summarize-xsum",
            created=0,
            ago=21 * 86400,
            project="t5-xsum",
            image=HF_IMAGE,
            instance_type="ml.g5.4xlarge",
            volume_gb=100,
            stages=(
                S("Starting", 150),
                S("Downloading", 180),
                S("Training", 1800),
                S("Uploading", 120),
                S("Completed"),
            ),
            metrics=(HF_LOSS, HF_EVAL_LOSS),
            hyperparameters={
                "model_name_or_path": "google-t5/t5-base",
                "epochs": 3,
                "learning_rate": 3e-04,
                "per_device_train_batch_size": 16,
                "source_prefix": "summarize: ",
            },
            dataset="xsum",
            log_style="transformers",
        ),
    ]


#: The jobs a fleet's finished members copy, in turn: each ends its own way.
_FINISHED = (
    "bert-base-finetune-imdb",
    "llama3-8b-lora-oom",
    "resnet50-spot-imagenet",
    "xgboost-churn-stopped",
    "gpt2-pretrain-maxruntime",
)
#: The job a fleet's running members copy: it trains for days.
_RUNNING = "mistral-7b-sft-distributed"


def fleet_scenarios(count: int, running: float = 0.05) -> list[Scenario]:
    """``count`` jobs as a large team or tuning job has them: mostly finished, a ``running`` share still training.

    Finished jobs copy the default jobs that complete, fail or stop, created
    two days and more before the origin; running ones copy the long
    distributed job, created up to two hours before it. Names are
    ``fleet-NNNN-PROJECT``.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    templates = {scenario.name: scenario for scenario in default_scenarios()}
    live = round(count * running) if count else 0
    live = max(live, 1) if count and running > 0 else live
    # Running jobs are spread evenly through the fleet rather than bunched at one end.
    live_at = {round(i * count / live) for i in range(live)} if live else set()
    fleet = []
    for index in range(count):
        if index in live_at:
            template = templates[_RUNNING]
            created = -(600 + (index * 337) % 7200)
        else:
            template = templates[_FINISHED[index % len(_FINISHED)]]
            created = -(2 * 86400 + index * 97)
        fleet.append(
            replace(
                template, name=f"fleet-{index:04d}-{template.project}", created=created, stop_after=template.stop_after
            )
        )
    return fleet
