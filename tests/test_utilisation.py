"""Per-host utilisation: per core and per GPU, the spread, and the warnings, with figures worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smtui.present.instance_types import instance_spec
from smtui.present.utilisation import CPU, DISK, GPU, GPU_MEMORY, MEMORY, per_unit, utilisation

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
G5_12 = instance_spec("ml.g5.12xlarge")  # 48 vCPUs, 4 GPUs
G5_2 = instance_spec("ml.g5.2xlarge")  # 8 vCPUs, 1 GPU


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def points(*values: float, start: float = 20) -> list[tuple[datetime, float]]:
    return [(at(start + i), v) for i, v in enumerate(values)]


TRAINING = [("Starting", at(0), at(10)), ("Downloading", at(10), at(15)), ("Training", at(15), None)]


def test_per_core_and_per_gpu():
    assert per_unit(CPU, 1200, G5_12) == 25  # 1200 / 48 vCPUs
    assert per_unit(GPU, 360, G5_12) == 90  # 360 / 4 GPUs
    assert per_unit(GPU_MEMORY, 300, G5_12) == 75
    assert per_unit(MEMORY, 40, G5_12) == 40 and per_unit(DISK, 50, G5_12) == 50  # already 0–100
    assert per_unit(GPU, 50, instance_spec("ml.m5.xlarge")) is None  # no GPUs to divide by
    assert per_unit(CPU, 50, None) is None


def test_three_hosts_one_far_from_the_others():
    series = {
        "algo-1": {GPU: points(360), CPU: points(1200), GPU_MEMORY: points(300), MEMORY: points(40), DISK: points(50)},
        "algo-2": {GPU: points(340), CPU: points(1104)},
        "algo-3": {GPU: points(40), CPU: points(480)},
    }
    view = utilisation(series, G5_12, TRAINING)
    assert not view.raw
    assert [h.host for h in view.hosts] == ["algo-1", "algo-2", "algo-3"]
    assert view.hosts[0].latest == {GPU: 90, CPU: 25, GPU_MEMORY: 75, MEMORY: 40, DISK: 50}
    gpu = next(s for s in view.spreads if s.metric == GPU)
    # 90, 85, 10 per GPU: median 85; algo-3 is 75 points away, algo-1 5, algo-2 0.
    assert (gpu.low, gpu.median, gpu.high) == (10, 85, 90)
    assert gpu.outliers == (("algo-3", 10), ("algo-1", 90), ("algo-2", 85))
    assert view.mean(GPU) == pytest.approx((90 + 85 + 10) / 3)
    assert view.headline == (GPU, pytest.approx(61.67, abs=0.01))
    assert [w.text for w in view.warnings] == ["algo-3 far from the others: GPU 10%, median 85%"]


def test_gpus_idle_for_five_minutes_while_training():
    # 15, 10, 12, 18, 5 % on one GPU from 10:20 to 10:24: a mean of 12 %.
    series = {"algo-1": {GPU: points(15, 10, 12, 18, 5), CPU: points(80, 80, 80, 80, 80)}}
    warnings = utilisation(series, G5_2, TRAINING).warnings
    assert [w.text for w in warnings] == ["GPUs under 20% for 5 minutes while Training (mean 12%)"]
    # Four minutes are not five.
    assert utilisation({"algo-1": {GPU: points(15, 10, 12, 18)}}, G5_2, TRAINING).warnings == ()
    # Idle while Downloading (before 10:15) is expected.
    assert utilisation({"algo-1": {GPU: points(1, 1, 1, 1, 1, start=10)}}, G5_2, TRAINING).warnings == ()
    # One busy minute in the window and it is not idle.
    assert utilisation({"algo-1": {GPU: points(15, 10, 40, 18, 5)}}, G5_2, TRAINING).warnings == ()


def test_gpus_starved_by_a_cpu_bound_input_pipeline_are_caught_in_one_minute():
    # One GPU at 30 % while 8 vCPUs sum to 760 %: 95 % a core.
    series = {"algo-1": {GPU: points(30), CPU: points(760)}}
    warnings = utilisation(series, G5_2, TRAINING).warnings
    assert [w.text for w in warnings] == [
        "GPUs at 30% while the CPUs are at 95%: the input pipeline (data loading) is holding them back"
    ]
    # The same figures while Downloading say nothing.
    downloading = {"algo-1": {GPU: points(30, start=11), CPU: points(760, start=11)}}
    assert utilisation(downloading, G5_2, TRAINING).warnings == ()
    # Busy GPUs with busy CPUs are fine.
    assert utilisation({"algo-1": {GPU: points(90), CPU: points(760)}}, G5_2, TRAINING).warnings == ()


def test_gpu_memory_or_disk_nearly_full():
    series = {
        "algo-1": {GPU_MEMORY: points(320, 392), GPU: points(360, 360)},
        "algo-2": {DISK: points(90, 96), GPU: points(360, 360)},
    }
    texts = [w.text for w in utilisation(series, G5_12, TRAINING).warnings]
    assert texts == ["GPU memory at 98% on algo-1", "Disk at 96% on algo-2"]


def test_a_type_not_in_the_table_keeps_raw_figures_and_says_so():
    series = {"algo-1": {GPU: points(350), CPU: points(4000)}}
    view = utilisation(series, None, TRAINING)
    assert view.raw and view.hosts[0].latest == {GPU: 350, CPU: 4000} and view.warnings == ()


def test_a_cpu_only_type_heads_with_cpu():
    view = utilisation({"algo-1": {CPU: points(200)}}, instance_spec("ml.m5.xlarge"), TRAINING)
    assert view.headline == (CPU, 50)
    assert utilisation({}, G5_2).headline is None


def test_many_hosts_keep_their_numeric_order_and_the_history_is_capped():
    series = {f"algo-{i}": {GPU: points(*([100.0] * 100))} for i in (10, 2, 1)}
    view = utilisation(series, G5_2, TRAINING)
    assert [h.host for h in view.hosts] == ["algo-1", "algo-2", "algo-10"]
    assert len(view.hosts[0].history[GPU]) == 60


def test_a_gap_in_the_points_shows_in_the_history():
    # Minutes 20–22, nothing for 23–25 (a spot interruption), then 26–27.
    moments = [20, 21, 22, 26, 27]
    series = {"algo-1": {GPU: [(at(m), 90.0) for m in moments]}}
    history = utilisation(series, G5_2, TRAINING).hosts[0].history[GPU]
    assert len(history) == 8 and [v == v for v in history] == [True] * 3 + [False] * 3 + [True] * 2
