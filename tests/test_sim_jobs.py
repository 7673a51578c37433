"""The simulator's ListTrainingJobs and StopTrainingJob through real HTTP, and its state across threads."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from smtui.sim import Simulator
from tests.conftest import fixture_realism
from tests.test_sim import ORIGIN, client, created_by, plain, tuning_children

# -- listing and stopping ----------------------------------------------------------------


@pytest.mark.gentle
def test_list_training_jobs_filters_sorts_and_pages(full_sim, clock):
    sim = full_sim
    sm = client(sim)
    clock.set(ORIGIN + timedelta(seconds=1500))
    existing = created_by(sim, 1500)
    # The ten standalone jobs and the eleven training jobs the tuning job has launched by then.
    assert len(existing) == 21 and set(existing) - set(sim.job_names()) <= set(tuning_children(sim))
    everything = sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]
    pages = list(sm.get_paginator("list_training_jobs").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["TrainingJobSummaries"]) for p in pages] == [3, 3, 3, 3, 3, 3, 3]
    paged = [s for page in pages for s in page["TrainingJobSummaries"]]
    assert paged == everything and sorted(s["TrainingJobName"] for s in paged) == sorted(existing)
    created = [s["CreationTime"] for s in paged]
    assert created == sorted(created, reverse=True)
    first = sm.list_training_jobs()  # ten by default, the newest
    assert first["NextToken"] and first["TrainingJobSummaries"] == everything[:10]
    hpo = {s["TrainingJobName"]: s for s in everything if s["TrainingJobName"] in tuning_children(sim)}

    def names(**filters):
        return [s["TrainingJobName"] for s in sm.list_training_jobs(MaxResults=100, **filters)["TrainingJobSummaries"]]

    def tuned(status):
        return [n for n, s in hpo.items() if s["TrainingJobStatus"] == status]

    assert len(tuned("Failed")) == 1 and len(tuned("Stopped")) == 1  # one failure, one early stop
    assert sorted(names(StatusEquals="Failed")) == sorted(["llama3-8b-lora-oom", *tuned("Failed")])
    assert sorted(names(StatusEquals="Stopped")) == sorted(
        ["gpt2-pretrain-maxruntime", "xgboost-churn-stopped", *tuned("Stopped")]
    )
    assert names(NameContains="LLAMA", SortBy="Name", SortOrder="Ascending") == [
        "llama-finetune-full-config",
        "llama2-70b-pretrain-trn1",
        "llama3-8b-lora-oom",
    ]
    assert (
        names(NameContains="-HPO-", SortBy="Name", SortOrder="Ascending")
        == sorted(hpo)
        == [n for n in tuning_children(sim) if n in hpo]
    )
    assert names(SortBy="Name", SortOrder="Ascending") == sorted(existing)
    statuses = [s["TrainingJobStatus"] for s in sm.list_training_jobs(SortBy="Status")["TrainingJobSummaries"]]
    assert statuses == sorted(statuses, reverse=True)

    def hpo_where(member, test):
        return {n for n, s in hpo.items() if test(s[member])}

    after, before = ORIGIN - timedelta(minutes=6), ORIGIN - timedelta(minutes=20)
    assert set(names(CreationTimeAfter=after)) == {
        "llama3-8b-lora-oom",
        "xgboost-churn-stopped",
        "whisper-small-finetune-cv",
        *hpo_where("CreationTime", lambda t: t > after),
    }
    assert set(names(CreationTimeBefore=before)) == {
        "mistral-7b-sft-distributed",
        "llama-finetune-full-config",
        "llama2-70b-pretrain-trn1",
        "t5-base-summarize-xsum",
        *hpo_where("CreationTime", lambda t: t < before),
    }
    # The long jobs last changed when their image pulls finished; the tuning job's first five had ended by then.
    assert set(names(LastModifiedTimeBefore=ORIGIN)) == {
        "llama-finetune-full-config",
        "mistral-7b-sft-distributed",
        "llama2-70b-pretrain-trn1",
        "t5-base-summarize-xsum",
        *hpo_where("LastModifiedTime", lambda t: t < ORIGIN),
    }
    assert len(hpo_where("LastModifiedTime", lambda t: t < ORIGIN)) == 5
    late = ORIGIN + timedelta(seconds=1300)
    assert set(names(LastModifiedTimeAfter=late)) == {
        "bert-base-finetune-imdb",
        "gpt2-pretrain-maxruntime",  # completed at +1440, out of time at +1380
        *hpo_where("LastModifiedTime", lambda t: t > late),
    }
    assert names(WarmPoolStatusEquals="Reused") == ["llama-finetune-full-config"]
    plan = sm.describe_training_job(TrainingJobName="llama-finetune-full-config")["ResourceConfig"]["TrainingPlanArn"]
    summary = sm.list_training_jobs(TrainingPlanArnEquals=plan)["TrainingJobSummaries"]
    assert [s["TrainingPlanArn"] for s in summary] == [plan]
    # A token only continues the listing it came from.
    token = sm.list_training_jobs(MaxResults=2)["NextToken"]
    with pytest.raises(ClientError):
        sm.list_training_jobs(MaxResults=2, NextToken=token, StatusEquals="Completed")


def test_paging_sees_one_moment(full_sim, clock):
    sm = client(full_sim)
    clock.set(ORIGIN + timedelta(seconds=890))
    first = sm.list_training_jobs(MaxResults=4, SortBy="Status")
    clock.advance(120)  # the OOM job fails and the xgboost job is stopping meanwhile
    rest = sm.list_training_jobs(MaxResults=4, SortBy="Status", NextToken=first["NextToken"])
    clock.set(ORIGIN + timedelta(seconds=890))
    at_once = sm.list_training_jobs(MaxResults=8, SortBy="Status")["TrainingJobSummaries"]
    assert first["TrainingJobSummaries"] + rest["TrainingJobSummaries"] == at_once


def test_stop_training_job(sim, clock):
    sm = client(sim)
    assert plain(sm.stop_training_job(TrainingJobName="mistral-7b-sft-distributed")) == {}
    job = sm.describe_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopping", "Stopping")
    with pytest.raises(ClientError) as caught:
        sm.stop_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert "in status Stopping" in caught.value.response["Error"]["Message"]
    clock.advance(60)
    job = sm.describe_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "Stopped")
    assert job["TrainingEndTime"] == ORIGIN + timedelta(seconds=60)
    assert job["ModelArtifacts"]["S3ModelArtifacts"].endswith("model.tar.gz")
    with pytest.raises(ClientError) as caught:
        sm.stop_training_job(TrainingJobName="llama-finetune-full-config")
    assert caught.value.response["Error"]["Message"] == (
        "The request was rejected because the training job is in status Completed."
    )
    with pytest.raises(ClientError):
        sm.stop_training_job(TrainingJobName="does-not-exist")
    # A pending job can be stopped too, before it ever trained: no artifacts then.
    sm.stop_training_job(TrainingJobName="whisper-small-finetune-cv")
    clock.advance(60)
    pending = sm.describe_training_job(TrainingJobName="whisper-small-finetune-cv")
    assert [t["Status"] for t in pending["SecondaryStatusTransitions"]] == ["Pending", "Stopping", "Stopped"]
    assert "ModelArtifacts" not in pending and "TrainingTimeInSeconds" not in pending


def test_scripted_stop_goes_through_stop_training_job(sim, clock):
    sm = client(sim)
    stop_at = ORIGIN + timedelta(seconds=-240 + 1200)
    clock.set(stop_at - timedelta(seconds=1))
    assert sm.describe_training_job(TrainingJobName="xgboost-churn-stopped")["TrainingJobStatus"] == "InProgress"
    # Jump well past the scripted moment: the stop is still dated when it was scripted.
    clock.set(stop_at + timedelta(seconds=30))
    with pytest.raises(ClientError) as caught:
        sm.stop_training_job(TrainingJobName="xgboost-churn-stopped")
    assert "in status Stopping" in caught.value.response["Error"]["Message"]
    job = sm.describe_training_job(TrainingJobName="xgboost-churn-stopped")
    stopping = job["SecondaryStatusTransitions"][-1]
    assert (stopping["Status"], stopping["StartTime"]) == ("Stopping", stop_at)


def test_state_is_safe_across_threads(clock):
    simulator = Simulator(clock, origin=ORIGIN, realism=fixture_realism())
    errors: list[BaseException] = []

    def reader():
        try:
            for _ in range(30):
                for name in simulator.job_names():
                    simulator.describe_training_job({"TrainingJobName": name})
                simulator.list_training_jobs({})
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    simulator.stop_training_job({"TrainingJobName": "mistral-7b-sft-distributed"})
    for thread in threads:
        thread.join()
    assert errors == []
    assert (
        simulator.describe_training_job({"TrainingJobName": "mistral-7b-sft-distributed"})["TrainingJobStatus"]
        == "Stopping"
    )
