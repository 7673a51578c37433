"""The per-host view as text: a line per host with bars and a sparkline, or the spread over many hosts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from smtui.present.host_text import bar, host_lines, spark
from smtui.present.instance_types import instance_spec
from smtui.present.utilisation import CPU, DISK, GPU, GPU_MEMORY, MEMORY, utilisation

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
TRAINING = [("Training", T0, None)]


def points(*values: float) -> list[tuple[datetime, float]]:
    return [(T0 + timedelta(minutes=20 + i), v) for i, v in enumerate(values)]


def text(lines) -> list[str]:
    return ["".join(t for t, _ in line) for line in lines]


def four_hosts():
    series = {
        f"algo-{h}": {
            GPU: points(360, 372),
            GPU_MEMORY: points(312),
            CPU: points(1680),
            MEMORY: points(55),
            DISK: points(50),
        }
        for h in range(1, 5)
    }
    series["algo-3"][GPU] = points(40, 40)
    return utilisation(series, instance_spec("ml.g5.12xlarge"), TRAINING)


def test_bars_and_sparklines():
    assert bar(0, 5) == "     " and bar(100, 5) == "█████" and bar(50, 5) == "██▌  " and bar(250, 2) == "██"
    # A fixed 0–100 scale: a flat 30 % stays low instead of filling the line.
    assert spark([30, 30, 100, 0], 4) == "▃▃█▁"
    assert spark([1, 2, 3], 2) == "▁▁"


def test_a_line_per_host_at_80_columns():
    lines = text(host_lines(four_hosts(), 78))
    assert lines[0] == "4 hosts, per GPU and per core"
    assert lines[1] == "⚠ algo-3 far from the others: GPU 10%, median 93%"
    assert lines[2].split() == ["GPU", "GPU", "mem", "CPU", "Mem", "Disk", "GPU", "trend"]
    assert text(host_lines(four_hosts(), 118))[2].split()[-2:] == ["GPU", "trend"]
    assert lines[3].startswith("algo-1  ████▋  93%  ███▉   78%  █▊     35%  ██▊    55%  ██▌    50%  ")
    assert lines[5].startswith("algo-3  ▌      10%")
    assert all(len(line) <= 78 for line in lines)


def test_narrow_panes_shrink_bars_then_leave_columns_out_whole():
    for width in (56, 40, 30):
        lines = text(host_lines(four_hosts(), width))
        assert all(len(line) <= width for line in lines), width
        hosts = [i for i, line in enumerate(lines) if line.startswith("algo-") and "%" in line]
        assert len(hosts) == 4 and lines[hosts[0] - 1].split()[0] == "GPU"
    # The sparkline's title names its metric; where "GPU trend" does not fit over it, a line under the hosts does.
    lines = text(host_lines(four_hosts(), 56))
    assert lines[2].split() == ["GPU", "GPU", "mem", "CPU", "Mem", "trend"]
    assert lines[-1] == "trend: GPU, a point a minute"
    lines = text(host_lines(four_hosts(), 40))
    # Mem and Disk left out whole, and room for the title again.
    assert lines[3].split() == ["GPU", "CPU", "GPU", "trend"] and lines[-1].startswith("algo-4")
    assert text(host_lines(four_hosts(), 30))[3].split() == ["GPU", "CPU"]  # no room for a trend at all


def test_many_hosts_show_the_spread_and_the_odd_ones_out():
    series = {f"algo-{h}": {CPU: points(9000 + h), MEMORY: points(55)} for h in range(1, 129)}
    series["algo-77"][CPU] = points(2700)
    lines = text(host_lines(utilisation(series, instance_spec("ml.trn1.32xlarge"), TRAINING), 78))
    assert lines[0] == "128 hosts, per core"  # Trainium: no GPU figures
    assert lines[1] == "⚠ algo-77 far from the others: CPU 21%, median 71%"
    assert lines[3].startswith("CPU  21% · 71% · 71%") and lines[3].endswith("algo-77 21%")
    assert lines[4] == "Mem  55% · 55% · 55%"  # nobody far from the median: nobody named


def test_raw_figures_are_said_and_shown_whole():
    lines = text(host_lines(utilisation({"algo-1": {GPU: points(350), CPU: points(4000)}}, None, TRAINING), 56))
    assert lines[0] == "1 host, raw figures (0–100 × cores or GPUs): the"
    assert lines[1] == "instance type is not in smtui's table"
    assert "350%" in lines[3] and "4000%" in lines[3]


def test_no_metrics_yet():
    assert text(host_lines(utilisation({}, None), 50)) == ["No instance metrics yet"]


def test_the_trend_follows_gpu_memory_filling_up():
    series = {"algo-1": {GPU: points(360, 360, 360), GPU_MEMORY: points(250, 330, 390), CPU: points(960, 960, 960)}}
    lines = text(host_lines(utilisation(series, instance_spec("ml.g5.12xlarge"), TRAINING), 118))
    assert lines[1] == "⚠ GPU memory at 98% on algo-1"
    assert lines[2].rstrip().endswith("GPU mem trend")
    assert lines[3].endswith("▅▇█")  # 62 %, 82 %, 98 % on a 0–100 scale
