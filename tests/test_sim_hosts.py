"""The simulator's per-host instance metrics: shapes that tell each job's story, in GetMetricData's real form."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta, timezone

import boto3

from smtui.clock import FrozenClock
from smtui.sim import Realism, Simulator, start_in_thread
from smtui.sim.hosts import CPU, DISK, GPU, GPU_MEMORY, HARDWARE, MEMORY, host_of
from smtui.sim.metrics import NAMESPACE
from smtui.sim.validate import output_problems
from smtui.sim.wire import service_model

ORIGIN = datetime(2026, 11, 26, 10, 0, 0, tzinfo=timezone.utc)
METRICS = (GPU, GPU_MEMORY, CPU, MEMORY, DISK)
OUTPUT = service_model("cloudwatch").operation_model("GetMetricData").output_shape


def world(seconds: float) -> Simulator:
    """The default jobs, ``seconds`` of script time after the origin (speed 1), their points all published."""
    clock = FrozenClock(ORIGIN + timedelta(seconds=seconds))
    return Simulator(clock, origin=ORIGIN, tuning=[], realism=Realism().without(["metric-lag"]))


def fetch(sim: Simulator, job: str, hosts=(1,), metrics=METRICS, minutes: float = 120) -> dict:
    """(host, metric) → [(time, value)] over the last ``minutes``."""
    queries = [
        {
            "Id": f"q{i}",
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": m,
                    "Dimensions": [{"Name": "Host", "Value": f"{job}/algo-{h}"}],
                },
                "Period": 60,
                "Stat": "Average",
            },
        }
        for i, (h, m) in enumerate((h, m) for h in hosts for m in metrics)
    ]
    now = sim.clock.now()
    answer = sim.get_metric_data(
        {
            "MetricDataQueries": queries,
            "StartTime": now - timedelta(minutes=minutes),
            "EndTime": now,
            "ScanBy": "TimestampAscending",
        }
    )
    keys = [(h, m) for h in hosts for m in metrics]
    return {keys[int(r["Id"][1:])]: list(zip(r["Timestamps"], r["Values"])) for r in answer["MetricDataResults"]}


def per_unit(job: str, metric: str, values) -> list[float]:
    cores, gpus = HARDWARE[world(0).scenarios[job].instance_type]
    scale = cores if metric == CPU else gpus if metric in (GPU, GPU_MEMORY) else 1
    return [v / scale for _, v in values]


def test_host_dimension_values():
    assert host_of("bert-base-finetune-imdb/algo-1") == ("bert-base-finetune-imdb", 1)
    assert host_of("a/b/algo-12") == ("a/b", 12)
    for bad in ("algo-1", "job/algo-", "job/algo-0", "job/algo-01", "job/host-1", "job/algo-x"):
        assert host_of(bad) is None


def test_gpus_idle_while_downloading_busy_while_training_with_dips_at_evaluation():
    # bert: Starting 0–150, Downloading 150–270, Training 270–1770 (image pulled at 330) at script seconds from
    # its creation at −420; 1,400 s after the origin it has trained for about 20 minutes.
    sim = world(1400)
    found = fetch(sim, "bert-base-finetune-imdb")
    gpu = per_unit("bert-base-finetune-imdb", GPU, found[(1, GPU)])
    created = ORIGIN - timedelta(seconds=420)
    downloading = [v for (t, _), v in zip(found[(1, GPU)], gpu) if t < created + timedelta(seconds=270)]
    training = [v for (t, _), v in zip(found[(1, GPU)], gpu) if t >= created + timedelta(seconds=390)]
    assert downloading and max(downloading) < 3
    assert len(training) >= 15 and statistics.median(training) > 85
    dips = [v for v in training if v < 50]
    assert 1 <= len(dips) <= len(training) // 5 + 1  # one minute in ten evaluates
    # Nothing before the instances ran the job (Starting has no host metrics).
    assert min(t for t, _ in found[(1, GPU)]) >= created + timedelta(seconds=150)


def test_the_oom_jobs_gpu_memory_fills_before_it_fails():
    sim = world(900)  # the job failed at +900
    memory = per_unit("llama3-8b-lora-oom", GPU_MEMORY, fetch(sim, "llama3-8b-lora-oom")[(1, GPU_MEMORY)])
    training = [v for v in memory if v > 10]
    assert training == sorted(training) and training[0] < 70 and training[-1] == 100


def test_the_input_bound_job_has_idle_gpus_and_pegged_cpus():
    sim = world(1800)  # whisper trains from +540 (its image pulled by +600)
    found = fetch(sim, "whisper-small-finetune-cv")
    gpu = per_unit("whisper-small-finetune-cv", GPU, found[(1, GPU)])[-10:]
    cpu = per_unit("whisper-small-finetune-cv", CPU, found[(1, CPU)])[-10:]
    assert all(20 < v < 40 for v in gpu) and all(v > 90 for v in cpu)


def test_the_spot_job_has_a_gap_while_interrupted():
    # resnet: Training ends at +180 (Interrupted 180–300, Restarting 300–390, Starting 390–510), then downloads.
    sim = world(900)
    stamps = [t for t, _ in fetch(sim, "resnet50-spot-imagenet", metrics=(GPU,))[(1, GPU)]]
    gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:])]
    assert max(gaps) >= 330 and gaps.count(60.0) >= len(gaps) - 1


def test_a_cpu_type_and_trainium_have_no_gpu_series_and_one_host_lags():
    sim = world(600)
    assert fetch(sim, "xgboost-churn-stopped")[(1, GPU)] == []
    found = fetch(sim, "llama2-70b-pretrain-trn1", hosts=(1, 2, 77, 129), metrics=(GPU, CPU), minutes=10)
    assert found[(1, GPU)] == [] and found[(129, CPU)] == []  # 128 hosts: there is no algo-129
    normal = per_unit("llama2-70b-pretrain-trn1", CPU, found[(2, CPU)])
    lagging = per_unit("llama2-70b-pretrain-trn1", CPU, found[(77, CPU)])
    assert min(normal) > 55 and max(lagging) < 30


def test_host_answers_match_the_model_over_http_and_page():
    clock = FrozenClock(ORIGIN + timedelta(seconds=600))
    sim = world(600)
    with start_in_thread(sim) as running:
        client = boto3.client(
            "cloudwatch",
            endpoint_url=running.url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        queries = [
            {
                "Id": f"h{i}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": NAMESPACE,
                        "MetricName": CPU,
                        "Dimensions": [{"Name": "Host", "Value": f"llama2-70b-pretrain-trn1/algo-{i}"}],
                    },
                    "Period": 60,
                    "Stat": "Average",
                },
            }
            for i in range(1, 129)
        ]
        pages = list(
            client.get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries,
                StartTime=clock.now() - timedelta(hours=1),
                EndTime=clock.now(),
                ScanBy="TimestampAscending",
                PaginationConfig={"PageSize": 1000},
            )
        )
    assert len(pages) > 1
    for page in pages:
        assert output_problems({k: v for k, v in page.items() if k != "ResponseMetadata"}, OUTPUT) == []
    total = sum(len(r["Values"]) for page in pages for r in page["MetricDataResults"])
    assert total == 128 * 60


def test_the_simulators_hardware_agrees_with_the_instance_table():
    from smtui.present.instance_types import instance_spec

    scripted = {s.instance_type for s in Simulator(FrozenClock(ORIGIN), origin=ORIGIN).scenarios.values()}
    assert scripted <= set(HARDWARE)
    for kind, (cores, gpus) in HARDWARE.items():
        spec = instance_spec(kind)
        assert (spec.vcpus, spec.accelerators if spec.has_gpus else 0) == (cores, gpus), kind


def test_list_metrics_and_get_metric_statistics_know_the_hosts():
    sim = world(200)
    listed = sim.list_metrics({"Dimensions": [{"Name": "Host", "Value": "mistral-7b-sft-distributed/algo-2"}]})
    assert sorted(m["MetricName"] for m in listed["Metrics"]) == sorted(METRICS)
    trn1 = sim.list_metrics({"Dimensions": [{"Name": "Host"}], "MetricName": CPU})
    assert sum(1 for m in trn1["Metrics"] if m["Dimensions"][0]["Value"].startswith("llama2-70b")) == 128
    assert not any(m["Dimensions"][0]["Value"].startswith("whisper") for m in trn1["Metrics"])  # still Pending
    now = sim.clock.now()
    stats = sim.get_metric_statistics(
        {
            "Namespace": NAMESPACE,
            "MetricName": GPU,
            "Dimensions": [{"Name": "Host", "Value": "bert-base-finetune-imdb/algo-1"}],
            "StartTime": now - timedelta(minutes=30),
            "EndTime": now,
            "Period": 60,
            "Statistics": ["Average"],
        }
    )
    assert stats["Datapoints"] and {p["Unit"] for p in stats["Datapoints"]} == {"Percent"}
