"""The scripted jobs the simulator plays out, as data.

Each :class:`Scenario` lists its secondary-status stages with their lengths in
script seconds; :mod:`smtui.sim.jobs` turns a scenario and a moment into a
DescribeTrainingJob response. Offsets are relative to the simulator's origin,
so a negative ``created`` means the job was already running when it started.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: SageMaker's own status messages.
MSG = {
    "Pending": "Waiting for capacity to become available",
    "Starting": "Preparing the instances for training",
    "LaunchingMLInstances": "Launching requested ML instances",
    "PreparingTrainingStack": "Preparing the training stack",
    "Downloading": "Downloading input data",
    "DownloadingTrainingImage": "Downloading the training image",
    "Training": "Training image download completed. Training in progress.",
    "Uploading": "Uploading generated training model",
    "Completed": "Training job completed",
    "Failed": "Training job failed",
    "Interrupted": "Training job interrupted due to insufficient spot capacity",
    "Restarting": "Restarting training job after spot interruption",
    "Stopping": "Stopping the training job",
    "Stopped": "Training job stopped",
    "MaxRuntimeExceeded": "Training job stopped: the job reached its maximum runtime",
    "MaxWaitTimeExceeded": "Training job stopped: the job reached its maximum wait time",
}


@dataclass(frozen=True)
class Stage:
    """One secondary status held for ``seconds`` script seconds (0 for a final state)."""

    status: str
    seconds: float = 0.0
    message: str | None = None

    @property
    def text(self) -> str:
        return self.message or MSG.get(self.status, self.status)


@dataclass(frozen=True)
class Metric:
    """A metric the job's algorithm prints and SageMaker extracts with ``regex``."""

    name: str
    regex: str
    start: float
    end: float
    #: Script seconds for the curve to get most of the way from start to end.
    tau: float = 900.0
    noise: float = 0.01


@dataclass(frozen=True)
class Scenario:
    """A training job's script: what it is and how its life unfolds."""

    name: str
    created: float
    stages: tuple[Stage, ...]
    instance_type: str = "ml.g5.2xlarge"
    instance_count: int = 1
    volume_gb: int = 100
    image: str = "763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-training:2.5.1-gpu-py311-cu124-ubuntu22.04-sagemaker"
    metrics: tuple[Metric, ...] = ()
    hyperparameters: dict[str, str] = field(default_factory=dict)
    failure_reason: str | None = None
    spot: bool = False
    max_runtime: int = 86400
    max_wait: int | None = None
    #: Script seconds after creation at which the simulator itself calls StopTrainingJob.
    stop_after: float | None = None
    vpc: bool = False
    #: Fill every member of the response (the "maximal" job).
    maximal: bool = False
    channels: tuple[str, ...] = ("train", "validation")
    dataset: str = "datasets"


LOSS = Metric("train:loss", r"train_loss=([0-9\.]+)", 2.4, 0.18, tau=1200, noise=0.03)
VAL_LOSS = Metric("validation:loss", r"val_loss=([0-9\.]+)", 2.5, 0.26, tau=1400, noise=0.02)
VAL_ACC = Metric("validation:accuracy", r"val_acc=([0-9\.]+)", 0.08, 0.91, tau=1300, noise=0.01)
THROUGHPUT = Metric("train:samples_per_sec", r"samples/s=([0-9\.]+)", 410.0, 455.0, tau=300, noise=0.02)

OOM = (
    "AlgorithmError: ExecuteUserScriptError:\n"
    "ExitCode 1\n"
    'ErrorMessage "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total '
    "capacity of 22.07 GiB of which 1.12 GiB is free. Of the allocated memory 19.84 GiB is allocated by PyTorch\"\n"
    'Command "/opt/conda/bin/python3.11 train.py --batch-size 64 --epochs 10 --lr 3e-05", exit code: 1'
)


def default_scenarios() -> list[Scenario]:
    """The jobs of ``smtui demo``: at speed 10 each interesting moment comes within a few minutes."""
    return [
        Scenario(
            name="bert-base-finetune-imdb",
            created=-420,
            stages=(Stage("Starting", 150), Stage("Downloading", 120), Stage("Training", 1500),
                    Stage("Uploading", 90), Stage("Completed")),
            instance_type="ml.g5.2xlarge",
            metrics=(LOSS, VAL_LOSS, VAL_ACC),
            hyperparameters={"epochs": "3", "learning_rate": "3e-05", "per_device_train_batch_size": "32",
                             "model_name_or_path": "bert-base-uncased", "sagemaker_program": "train.py"},
            dataset="imdb",
        ),
        Scenario(
            name="llama3-8b-lora-oom",
            created=-300,
            stages=(Stage("Starting", 180), Stage("Downloading", 240),
                    Stage("DownloadingTrainingImage", 120), Stage("Training", 420), Stage("Failed")),
            instance_type="ml.g5.12xlarge",
            metrics=(LOSS,),
            hyperparameters={"epochs": "2", "lora_r": "16", "lora_alpha": "32", "per_device_train_batch_size": "64",
                             "model_id": "meta-llama/Meta-Llama-3-8B"},
            failure_reason=OOM,
            dataset="alpaca",
        ),
        Scenario(
            name="resnet50-spot-imagenet",
            created=-900,
            stages=(Stage("Starting", 120), Stage("Downloading", 180), Stage("Training", 780),
                    Stage("Interrupted", 120), Stage("Restarting", 90), Stage("Starting", 120),
                    Stage("Downloading", 120), Stage("Training", 1200), Stage("Uploading", 60), Stage("Completed")),
            instance_type="ml.p3.2xlarge",
            metrics=(LOSS, VAL_ACC),
            hyperparameters={"epochs": "90", "batch_size": "256", "lr": "0.1", "momentum": "0.9"},
            spot=True,
            max_runtime=36000,
            max_wait=72000,
            dataset="imagenet",
        ),
        Scenario(
            name="xgboost-churn-stopped",
            created=-240,
            stages=(Stage("Starting", 90), Stage("Downloading", 60), Stage("Training", 7200),
                    Stage("Uploading", 60), Stage("Completed")),
            instance_type="ml.m5.xlarge",
            image="683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1",
            metrics=(Metric("train:rmse", r".*\[[0-9]+\].*#011train-rmse:([-+]?[0-9]*\.?[0-9]+)", 0.48, 0.21, 700),
                     Metric("validation:rmse", r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+)", 0.5, 0.25, 700)),
            hyperparameters={"num_round": "500", "max_depth": "6", "eta": "0.2", "objective": "reg:squarederror"},
            stop_after=1200,
            dataset="churn",
        ),
        Scenario(
            name="gpt2-pretrain-maxruntime",
            created=-600,
            stages=(Stage("Starting", 120), Stage("Downloading", 150), Stage("Training", 1530),
                    Stage("MaxRuntimeExceeded")),
            instance_type="ml.g5.4xlarge",
            metrics=(LOSS, THROUGHPUT),
            hyperparameters={"max_steps": "200000", "block_size": "1024", "learning_rate": "6e-4"},
            max_runtime=1800,
            dataset="openwebtext",
        ),
        Scenario(
            name="mistral-7b-sft-distributed",
            created=-2400,
            stages=(Stage("Starting", 240), Stage("LaunchingMLInstances", 180), Stage("PreparingTrainingStack", 120),
                    Stage("Downloading", 300), Stage("DownloadingTrainingImage", 240), Stage("Training", 86400 * 3)),
            instance_type="ml.p4d.24xlarge",
            instance_count=4,
            volume_gb=500,
            metrics=(LOSS, VAL_LOSS, THROUGHPUT),
            hyperparameters={"epochs": "3", "gradient_accumulation_steps": "4", "fsdp": "full_shard auto_wrap",
                             "model_id": "mistralai/Mistral-7B-v0.3", "sagemaker_distributed_dataparallel_enabled": "false"},
            max_runtime=432000,
            vpc=True,
            dataset="ultrachat",
        ),
        Scenario(
            name="llama-finetune-full-config",
            created=-3000,
            stages=(Stage("Pending", 60), Stage("Starting", 120), Stage("Downloading", 200), Stage("Training", 1800),
                    Stage("Uploading", 120), Stage("Completed")),
            instance_type="ml.p4de.24xlarge",
            instance_count=2,
            volume_gb=1000,
            metrics=(LOSS, VAL_LOSS, VAL_ACC),
            hyperparameters={"epochs": "1", "learning_rate": "2e-05", "lora": "false", "bf16": "true"},
            spot=True,
            max_runtime=86400,
            max_wait=172800,
            vpc=True,
            maximal=True,
            dataset="dolly",
        ),
    ]
