"""The accelerators and vCPUs of the instance types the scripted jobs use, for what their containers print."""

from __future__ import annotations

_GPUS = {
    "ml.p4d.24xlarge": 8,
    "ml.p4de.24xlarge": 8,
    "ml.p5.48xlarge": 8,
    "ml.p3.16xlarge": 8,
    "ml.p3.8xlarge": 4,
    "ml.g5.12xlarge": 4,
    "ml.g5.24xlarge": 4,
    "ml.g5.48xlarge": 8,
    "ml.g6.12xlarge": 4,
    "ml.trn1.32xlarge": 32,
    "ml.trn1n.32xlarge": 32,
    "ml.trn1.2xlarge": 2,
}
_CPUS = {
    "xlarge": 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
    "32xlarge": 128,
    "48xlarge": 192,
}


def accelerators(instance_type: str) -> int:
    """GPUs (or NeuronCores) of an instance type; 0 for CPU instances."""
    if instance_type in _GPUS:
        return _GPUS[instance_type]
    family = instance_type.split(".")[1] if instance_type.count(".") >= 2 else ""
    return 0 if family[:1] in ("m", "c", "r", "t") else 1


def cpus(instance_type: str) -> int:
    return _CPUS.get(instance_type.rsplit(".", 1)[-1], 4)
