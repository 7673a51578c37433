"""The ml.* instance type table: what it covers, and that it agrees with EC2's own figures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore.session
import pytest

from smtui.present.instance_types import AS_OF, SOURCE, instance_spec, known_types

#: Figures that do not come from DescribeInstanceTypes, each with its source in the module.
_OVERRIDDEN = {"ml.trn2.48xlarge"}


def _training_types() -> list[str]:
    model = botocore.session.get_session().get_service_model("sagemaker")
    return list(model.shape_for("TrainingInstanceType").enum)


def _ec2_types() -> dict:
    import moto

    path = Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz"
    if not path.exists():
        pytest.skip("moto's EC2 instance type data is not installed")
    with gzip.open(path) as handle:
        return json.load(handle)


def test_hand_checked_figures():
    p4d = instance_spec("ml.p4d.24xlarge")
    assert (p4d.vcpus, p4d.accelerators, p4d.accelerator, p4d.kind) == (96, 8, "A100", "GPU")
    assert p4d.accelerator_memory_gib == 320
    assert p4d.accelerator_text(4) == "32 × A100 GPUs, 1,280 GiB"
    trn1 = instance_spec("ml.trn1.32xlarge")
    assert (trn1.vcpus, trn1.accelerators, trn1.kind, trn1.has_gpus) == (128, 16, "Trainium", False)
    assert instance_spec("ml.inf2.xlarge").kind == "Inferentia"
    assert instance_spec("ml.trn2.48xlarge").accelerator_memory_gib == 1536
    m5 = instance_spec("ml.m5.xlarge")
    assert (m5.vcpus, m5.accelerators, m5.kind, m5.accelerator_text()) == (4, 0, None, "no accelerator")
    assert instance_spec("ml.p3.2xlarge").accelerator_text() == "1 × V100 GPU, 16 GiB"


def test_unknown_types_are_none():
    assert instance_spec("ml.p6e-gb200.36xlarge") is None
    assert instance_spec("ml.nonexistent.large") is None
    assert instance_spec(None) is None and instance_spec("") is None


def test_source_and_date_are_stated():
    assert "DescribeInstanceTypes" in SOURCE
    assert AS_OF.count("-") == 2


def test_every_training_type_with_published_figures_is_in_the_table():
    ec2 = _ec2_types()
    table = known_types()
    missing = [t for t in _training_types() if t not in table and t.removeprefix("ml.") in ec2]
    assert missing == []
    # The only training types left out are those EC2 does not describe and no other source gave.
    unsourced = [t for t in _training_types() if t not in table]
    assert unsourced == ["ml.p6e-gb200.36xlarge"]


def test_the_table_agrees_with_ec2():
    ec2 = _ec2_types()
    for name in sorted(known_types() - _OVERRIDDEN):
        record = ec2.get(name.removeprefix("ml."))
        if record is None:
            continue  # p2, p3: from AWS Batch's guide
        spec = instance_spec(name)
        assert spec.vcpus == record["VCpuInfo"]["DefaultVCpus"], name
        gpus, neuron = record.get("GpuInfo"), record.get("NeuronInfo")
        if gpus:
            assert spec.accelerators == sum(g["Count"] for g in gpus["Gpus"]), name
            assert spec.accelerator_memory_mib == gpus["TotalGpuMemoryInMiB"], name
            assert spec.kind == "GPU", name
        elif neuron:
            assert spec.accelerators == sum(d["Count"] for d in neuron["NeuronDevices"]), name
            assert spec.kind in ("Trainium", "Inferentia"), name
        else:
            assert spec.accelerators == 0 and spec.kind is None, name
