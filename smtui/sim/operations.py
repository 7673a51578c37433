"""The operations the simulator answers, by service, and the Simulator method answering each."""

from __future__ import annotations

#: (service, operation) → Simulator method.
HANDLERS = {
    ("sagemaker", "DescribeTrainingJob"): "describe_training_job",
    ("sagemaker", "ListTrainingJobs"): "list_training_jobs",
    ("sagemaker", "StopTrainingJob"): "stop_training_job",
    ("sagemaker", "DescribeHyperParameterTuningJob"): "describe_hyper_parameter_tuning_job",
    ("sagemaker", "ListTrainingJobsForHyperParameterTuningJob"): "list_training_jobs_for_hyper_parameter_tuning_job",
    ("sagemaker", "ListTags"): "list_tags",
    ("cloudwatch", "GetMetricData"): "get_metric_data",
    ("cloudwatch", "GetMetricStatistics"): "get_metric_statistics",
    ("cloudwatch", "ListMetrics"): "list_metrics",
    ("logs", "DescribeLogStreams"): "describe_log_streams",
    ("logs", "GetLogEvents"): "get_log_events",
    ("logs", "FilterLogEvents"): "filter_log_events",
    ("pricing", "GetProducts"): "get_products",
}

#: Every operation name the simulator answers.
OPERATIONS = tuple(operation for _, operation in HANDLERS)
