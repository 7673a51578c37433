"""The ml.* instance types: vCPUs and accelerators, for reading utilisation per core and per GPU.

SageMaker publishes CPUUtilization as 0–100 % times the number of vCPUs and
GPUUtilization as 0–100 % times the number of GPUs, so a figure of 350 % means
nothing until it is divided by what the instance has. This table says what each
type has.

Source: Amazon EC2's DescribeInstanceTypes (``VCpuInfo.DefaultVCpus``;
``GpuInfo`` or ``NeuronInfo``: device count, name, total memory in MiB), as
recorded in moto 5.2.5's ``moto/ec2/resources/instance_types.json.gz``, read
on 2026-11-30 for every type of botocore 1.43's ``TrainingInstanceType`` enum,
plus the Inferentia types. Exceptions, each said where it stands: p2 and p3
(no longer listed by EC2) from AWS Batch's user guide, and trn2's memory from
the AWS Neuron architecture guide. ml.p6e-gb200.36xlarge is left out: no
source gave its figures. A type not here is shown with its raw figures, and the
screen says so.

Memory is what the EC2 API reports, which is the usable memory: an A10G's
22,888 MiB rather than the 24 GB on the box.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Where the figures come from, and when they were read; shown with the figures.
SOURCE = "EC2 DescribeInstanceTypes (via moto 5.2.5), AWS Batch user guide (p2, p3), AWS Neuron guide (trn2)"
AS_OF = "2026-11-30"


@dataclass(frozen=True)
class InstanceSpec:
    """What one instance of a type has: vCPUs, and its accelerators if any."""

    name: str
    vcpus: int
    accelerators: int = 0
    #: The accelerator's model: ``A100``, ``H100``, ``Trainium``, ``Inferentia2``, ...
    accelerator: str | None = None
    #: All the accelerators' memory together, in MiB.
    accelerator_memory_mib: int = 0

    @property
    def kind(self) -> str | None:
        """``GPU``, ``Trainium`` or ``Inferentia`` (None without accelerators)."""
        if not self.accelerators or not self.accelerator:
            return None
        for family in ("Trainium", "Inferentia"):
            if self.accelerator.startswith(family):
                return family
        return "GPU"

    @property
    def has_gpus(self) -> bool:
        """True for NVIDIA GPUs, the only accelerators SageMaker's GPUUtilization measures."""
        return self.kind == "GPU"

    @property
    def accelerator_memory_gib(self) -> float:
        """All the accelerators' memory together, in GiB."""
        return self.accelerator_memory_mib / 1024

    def accelerator_text(self, count: int = 1) -> str:
        """``8 × A100 GPU, 320 GiB`` for ``count`` instances; ``no accelerator`` for CPU types."""
        if not self.kind:
            return "no accelerator"
        total = self.accelerators * count
        unit = "GPU" if self.kind == "GPU" else "chip"
        plural = "s" if total != 1 else ""
        memory = self.accelerator_memory_gib * count
        return f"{total:,} × {self.accelerator} {unit}{plural}, {memory:,.0f} GiB"


def instance_spec(name: str | None) -> InstanceSpec | None:
    """The figures of an ml.* type (``ml.g5.2xlarge``), or None when the table does not have it."""
    if not name:
        return None
    if name in _ACCELERATED:
        vcpus, count, model, memory = _ACCELERATED[name]
        return InstanceSpec(name, vcpus, count, model, memory)
    if name in _CPU_ONLY:
        return InstanceSpec(name, _CPU_ONLY[name])
    return None


def known_types() -> frozenset[str]:
    """Every type the table has."""
    return frozenset(_CPU_ONLY) | frozenset(_ACCELERATED)


# -- the table -------------------------------------------------------------------------

# fmt: off
#: Types without accelerators: vCPUs.
_CPU_ONLY = {
    "ml.m4.xlarge": 4, "ml.m4.2xlarge": 8, "ml.m4.4xlarge": 16, "ml.m4.10xlarge": 40, "ml.m4.16xlarge": 64,
    "ml.m5.large": 2, "ml.m5.xlarge": 4, "ml.m5.2xlarge": 8, "ml.m5.4xlarge": 16, "ml.m5.12xlarge": 48,
    "ml.m5.24xlarge": 96, "ml.c4.xlarge": 4, "ml.c4.2xlarge": 8, "ml.c4.4xlarge": 16, "ml.c4.8xlarge": 36,
    "ml.c5.xlarge": 4, "ml.c5.2xlarge": 8, "ml.c5.4xlarge": 16, "ml.c5.9xlarge": 36, "ml.c5.18xlarge": 72,
    "ml.c5n.xlarge": 4, "ml.c5n.2xlarge": 8, "ml.c5n.4xlarge": 16, "ml.c5n.9xlarge": 36, "ml.c5n.18xlarge": 72,
    "ml.m6i.large": 2, "ml.m6i.xlarge": 4, "ml.m6i.2xlarge": 8, "ml.m6i.4xlarge": 16, "ml.m6i.8xlarge": 32,
    "ml.m6i.12xlarge": 48, "ml.m6i.16xlarge": 64, "ml.m6i.24xlarge": 96, "ml.m6i.32xlarge": 128, "ml.c6i.xlarge": 4,
    "ml.c6i.2xlarge": 8, "ml.c6i.8xlarge": 32, "ml.c6i.4xlarge": 16, "ml.c6i.12xlarge": 48, "ml.c6i.16xlarge": 64,
    "ml.c6i.24xlarge": 96, "ml.c6i.32xlarge": 128, "ml.r5d.large": 2, "ml.r5d.xlarge": 4, "ml.r5d.2xlarge": 8,
    "ml.r5d.4xlarge": 16, "ml.r5d.8xlarge": 32, "ml.r5d.12xlarge": 48, "ml.r5d.16xlarge": 64, "ml.r5d.24xlarge": 96,
    "ml.t3.medium": 2, "ml.t3.large": 2, "ml.t3.xlarge": 4, "ml.t3.2xlarge": 8, "ml.r5.large": 2, "ml.r5.xlarge": 4,
    "ml.r5.2xlarge": 8, "ml.r5.4xlarge": 16, "ml.r5.8xlarge": 32, "ml.r5.12xlarge": 48, "ml.r5.16xlarge": 64,
    "ml.r5.24xlarge": 96, "ml.m7i.large": 2, "ml.m7i.xlarge": 4, "ml.m7i.2xlarge": 8, "ml.m7i.4xlarge": 16,
    "ml.m7i.8xlarge": 32, "ml.m7i.12xlarge": 48, "ml.m7i.16xlarge": 64, "ml.m7i.24xlarge": 96, "ml.m7i.48xlarge": 192,
    "ml.c7i.large": 2, "ml.c7i.xlarge": 4, "ml.c7i.2xlarge": 8, "ml.c7i.4xlarge": 16, "ml.c7i.8xlarge": 32,
    "ml.c7i.12xlarge": 48, "ml.c7i.16xlarge": 64, "ml.c7i.24xlarge": 96, "ml.c7i.48xlarge": 192, "ml.r7i.large": 2,
    "ml.r7i.xlarge": 4, "ml.r7i.2xlarge": 8, "ml.r7i.4xlarge": 16, "ml.r7i.8xlarge": 32, "ml.r7i.12xlarge": 48,
    "ml.r7i.16xlarge": 64, "ml.r7i.24xlarge": 96, "ml.r7i.48xlarge": 192, "ml.r6i.large": 2, "ml.r6i.xlarge": 4,
    "ml.r6i.2xlarge": 8, "ml.r6i.4xlarge": 16, "ml.r6i.8xlarge": 32, "ml.r6i.12xlarge": 48, "ml.r6i.16xlarge": 64,
    "ml.r6i.24xlarge": 96, "ml.r6i.32xlarge": 128, "ml.m8i.large": 2, "ml.m8i.xlarge": 4, "ml.m8i.2xlarge": 8,
    "ml.m8i.4xlarge": 16, "ml.m8i.8xlarge": 32, "ml.m8i.12xlarge": 48, "ml.m8i.16xlarge": 64, "ml.m8i.24xlarge": 96,
    "ml.m8i.32xlarge": 128, "ml.m8i.48xlarge": 192, "ml.m8i.96xlarge": 384, "ml.c8i.xlarge": 4, "ml.c8i.2xlarge": 8,
    "ml.c8i.4xlarge": 16, "ml.c8i.8xlarge": 32, "ml.c8i.12xlarge": 48, "ml.c8i.16xlarge": 64, "ml.c8i.24xlarge": 96,
    "ml.c8i.32xlarge": 128, "ml.c8i.48xlarge": 192, "ml.c8i.96xlarge": 384, "ml.r8i.large": 2, "ml.r8i.xlarge": 4,
    "ml.r8i.2xlarge": 8, "ml.r8i.4xlarge": 16, "ml.r8i.8xlarge": 32, "ml.r8i.12xlarge": 48, "ml.r8i.16xlarge": 64,
    "ml.r8i.24xlarge": 96, "ml.r8i.32xlarge": 128, "ml.r8i.48xlarge": 192, "ml.r8i.96xlarge": 384,
    "ml.m7i-flex.large": 2, "ml.m7i-flex.xlarge": 4, "ml.m7i-flex.2xlarge": 8, "ml.m7i-flex.4xlarge": 16,
    "ml.m7i-flex.8xlarge": 32, "ml.m7i-flex.12xlarge": 48, "ml.m7i-flex.16xlarge": 64, "ml.c7i-flex.xlarge": 4,
    "ml.c7i-flex.2xlarge": 8, "ml.c7i-flex.4xlarge": 16, "ml.c7i-flex.8xlarge": 32, "ml.c7i-flex.12xlarge": 48,
    "ml.c7i-flex.16xlarge": 64, "ml.m8i-flex.large": 2, "ml.m8i-flex.xlarge": 4, "ml.m8i-flex.2xlarge": 8,
    "ml.m8i-flex.4xlarge": 16, "ml.m8i-flex.8xlarge": 32, "ml.m8i-flex.12xlarge": 48, "ml.m8i-flex.16xlarge": 64,
    "ml.c8i-flex.xlarge": 4, "ml.c8i-flex.2xlarge": 8, "ml.c8i-flex.4xlarge": 16, "ml.c8i-flex.8xlarge": 32,
    "ml.c8i-flex.12xlarge": 48, "ml.c8i-flex.16xlarge": 64, "ml.r8i-flex.large": 2, "ml.r8i-flex.xlarge": 4,
    "ml.r8i-flex.2xlarge": 8, "ml.r8i-flex.4xlarge": 16, "ml.r8i-flex.8xlarge": 32, "ml.r8i-flex.12xlarge": 48,
    "ml.r8i-flex.16xlarge": 64,
}
#: Types with accelerators: (vCPUs, accelerators, model, accelerator memory in MiB, all together).
_ACCELERATED = {
    # p2 and p3 are no longer listed by DescribeInstanceTypes; AWS Batch's user guide ("GPU jobs") gives them.
    "ml.p2.xlarge": (4, 1, "K80", 12288),
    "ml.p2.8xlarge": (32, 8, "K80", 98304),
    "ml.p2.16xlarge": (64, 16, "K80", 196608),
    "ml.p3.2xlarge": (8, 1, "V100", 16384),
    "ml.p3.8xlarge": (32, 4, "V100", 65536),
    "ml.p3.16xlarge": (64, 8, "V100", 131072),
    "ml.g4dn.xlarge": (4, 1, "T4", 16384),
    "ml.g4dn.2xlarge": (8, 1, "T4", 16384),
    "ml.g4dn.4xlarge": (16, 1, "T4", 16384),
    "ml.g4dn.8xlarge": (32, 1, "T4", 16384),
    "ml.g4dn.12xlarge": (48, 4, "T4", 65536),
    "ml.g4dn.16xlarge": (64, 1, "T4", 16384),
    "ml.p3dn.24xlarge": (96, 8, "V100", 262144),
    "ml.p4d.24xlarge": (96, 8, "A100", 327680),
    "ml.p4de.24xlarge": (96, 8, "A100", 655360),
    "ml.p5.48xlarge": (192, 8, "H100", 655360),
    "ml.p5e.48xlarge": (192, 8, "H200", 1155072),
    "ml.p5en.48xlarge": (192, 8, "H200", 1155072),
    "ml.g5.xlarge": (4, 1, "A10G", 22888),
    "ml.g5.2xlarge": (8, 1, "A10G", 22888),
    "ml.g5.4xlarge": (16, 1, "A10G", 22888),
    "ml.g5.8xlarge": (32, 1, "A10G", 22888),
    "ml.g5.16xlarge": (64, 1, "A10G", 22888),
    "ml.g5.12xlarge": (48, 4, "A10G", 91552),
    "ml.g5.24xlarge": (96, 4, "A10G", 91552),
    "ml.g5.48xlarge": (192, 8, "A10G", 183104),
    "ml.g6.xlarge": (4, 1, "L4", 22888),
    "ml.g6.2xlarge": (8, 1, "L4", 22888),
    "ml.g6.4xlarge": (16, 1, "L4", 22888),
    "ml.g6.8xlarge": (32, 1, "L4", 22888),
    "ml.g6.16xlarge": (64, 1, "L4", 22888),
    "ml.g6.12xlarge": (48, 4, "L4", 91552),
    "ml.g6.24xlarge": (96, 4, "L4", 91552),
    "ml.g6.48xlarge": (192, 8, "L4", 183104),
    "ml.g6e.xlarge": (4, 1, "L40S", 45776),
    "ml.g6e.2xlarge": (8, 1, "L40S", 45776),
    "ml.g6e.4xlarge": (16, 1, "L40S", 45776),
    "ml.g6e.8xlarge": (32, 1, "L40S", 45776),
    "ml.g6e.16xlarge": (64, 1, "L40S", 45776),
    "ml.g6e.12xlarge": (48, 4, "L40S", 183104),
    "ml.g6e.24xlarge": (96, 4, "L40S", 183104),
    "ml.g6e.48xlarge": (192, 8, "L40S", 366208),
    "ml.trn1.2xlarge": (8, 1, "Trainium", 32768),
    "ml.trn1.32xlarge": (128, 16, "Trainium", 524288),
    "ml.trn1n.32xlarge": (128, 16, "Trainium", 524288),
    # DescribeInstanceTypes reports 512 GiB per Trainium2; the Neuron architecture guide gives 96 GiB a chip.
    "ml.trn2.48xlarge": (192, 16, "Trainium2", 1572864),
    "ml.p6-b200.48xlarge": (192, 8, "B200", 1466872),
    "ml.p5.4xlarge": (16, 1, "H100", 81920),
    "ml.p6-b300.48xlarge": (192, 8, "B300", 2200320),
    "ml.g7e.2xlarge": (8, 1, "RTX PRO Server 6000", 98304),
    "ml.g7e.4xlarge": (16, 1, "RTX PRO Server 6000", 98304),
    "ml.g7e.8xlarge": (32, 1, "RTX PRO Server 6000", 98304),
    "ml.g7e.12xlarge": (48, 2, "RTX PRO Server 6000", 196608),
    "ml.g7e.24xlarge": (96, 4, "RTX PRO Server 6000", 393216),
    "ml.g7e.48xlarge": (192, 8, "RTX PRO Server 6000", 786432),
    "ml.g7.2xlarge": (8, 1, "RTX PRO 4500", 32768),
    "ml.g7.4xlarge": (16, 1, "RTX PRO 4500", 32768),
    "ml.g7.8xlarge": (32, 1, "RTX PRO 4500", 32768),
    "ml.g7.12xlarge": (48, 2, "RTX PRO 4500", 65536),
    "ml.g7.24xlarge": (96, 4, "RTX PRO 4500", 131072),
    "ml.g7.48xlarge": (192, 8, "RTX PRO 4500", 262144),
    "ml.inf1.xlarge": (4, 1, "Inferentia", 8192),
    "ml.inf1.2xlarge": (8, 1, "Inferentia", 8192),
    "ml.inf1.6xlarge": (24, 4, "Inferentia", 32768),
    "ml.inf1.24xlarge": (96, 16, "Inferentia", 131072),
    "ml.inf2.xlarge": (4, 1, "Inferentia2", 32768),
    "ml.inf2.8xlarge": (32, 1, "Inferentia2", 32768),
    "ml.inf2.24xlarge": (96, 6, "Inferentia2", 196608),
    "ml.inf2.48xlarge": (192, 12, "Inferentia2", 393216),
}
# fmt: on
