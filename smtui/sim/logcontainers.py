"""What containers other than the GPU PyTorch ones print: SageMaker's built-in XGBoost, the Neuron DLC on Trainium.

The XGBoost container runs in algorithm mode, without the toolkit's script
prelude: its evaluation log has a line per boosting round,
``[12]#011train-rmse:...`` (``#011`` is how CloudWatch's agent writes a tab).
NeuronX Distributed prints one ``LOG ... step_loss : ...`` line per logging
step on rank 0, and each host's ranks and Neuron runtime add their own.
"""

from __future__ import annotations

from datetime import datetime

from smtui.sim.loglines import CLOCK, DEBUGGER, NEURON_TIME, TOOLKIT, XGB_TIME, Rule, Template, Writer, unit


class XGBoost(Writer):
    """SageMaker's built-in XGBoost in algorithm mode: a line per boosting round, tree-pruning chatter."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sub = 4 if self.host == 1 else self.sub
        self.tick = self.world.seconds(60) / self.sub
        self.rules.append(Rule(97, (self.host * 41) % 97, 1, self.warning))

    def prelude(self) -> list[Template]:
        node = f"ip-10-0-{int(unit(self.scenario.name, 'ip') * 250)}-{self.host * 7}.ec2.internal:7"
        info = f"[{XGB_TIME}:INFO] "
        lines = [
            (0.0, "bash: cannot set terminal process group (-1): Inappropriate ioctl for device"),
            (0.0, "bash: no job control in this shell"),
            (0.8, f"[{DEBUGGER} {node} INFO utils.py:28] RULE_JOB_STOP_SIGNAL_FILENAME: None"),
            (0.6, f"{info}Imported framework sagemaker_xgboost_container.training"),
        ]
        for key, value in sorted(self.scenario.hyperparameters.items()):
            if isinstance(value, str):
                lines += [
                    (0.0, f"{info}Failed to parse hyperparameter {key} value {value} to Json."),
                    (0.0, "Returning the value itself"),
                ]
        lines += [
            (0.1, f"{info}No GPUs detected (normal if no gpus installed)"),
            (0.0, f"{info}Running XGBoost Sagemaker in algorithm mode"),
            (0.0, f"{info}Determined 0 GPU(s) available on the instance."),
        ]
        for channel in self.scenario.channels:
            lines += [
                (0.1, f"{info}Determined delimiter of CSV input is ','"),
                (0.0, f"{info}files path: /opt/ml/input/data/{channel}"),
            ]
        lines += [
            (0.3, f"{info}Single node training."),
            (0.4, f"{info}Train matrix has 5634 rows and 19 columns"),
            (0.0, f"{info}Validation matrix has 1409 rows"),
            (
                0.2,
                f"[{DEBUGGER} {node} INFO json_config.py:92] Creating hook from json_config at "
                "/opt/ml/input/config/debughookconfig.json.",
            ),
            (
                0.0,
                f"[{DEBUGGER} {node} INFO hook.py:206] tensorboard_dir has not been set for the hook. SMDebug "
                "will not be exporting tensorboard summaries.",
            ),
            (0.0, f"[{DEBUGGER} {node} INFO hook.py:259] Saving to /opt/ml/output/tensors"),
            (0.3, f"[{CLOCK}] WARNING: ../src/learner.cc:767: "),
            (0.0, 'Parameters: { "num_round" } are not used.'),
        ]
        return lines

    def round(self, g: int) -> int:
        return int(self.progress(g) // 60)

    def metric_line(self, g: int, when: datetime, values: dict[str, float]) -> str | None:
        if not values:
            return None
        shown = "".join(f"#011{name.replace(':', '-')}:{value:.5f}" for name, value in values.items())
        return f"[{self.round(g)}]{shown}"

    def chatter(self, g: int, when: datetime) -> str:
        nodes = 60 + int(unit(g, "n") * 70)
        depth = self.scenario.hyperparameters.get("max_depth", 6)
        return (
            f"[{when:%H:%M:%S}] INFO: ../src/tree/updater_prune.cc:98: tree pruning end, {nodes} extra nodes, "
            f"{int(unit(g, 'p') * 12)} pruned nodes, max_depth={depth}"
        )

    def warning(self, g: int, when: datetime) -> list[str]:
        return [f'[{when:%H:%M:%S}] WARNING: ../src/learner.cc:740: Parameters: {{ "num_round" }} might not be used.']

    def tail(self, ended_by: str) -> list[Template]:
        info = f"[{XGB_TIME}:INFO] "
        if ended_by == "Stopping":
            return [
                (0.3, f"{info}Received SIGTERM: stopping training and saving the model to /opt/ml/model/xgboost-model")
            ]
        if ended_by in ("Uploading", "Completed"):
            return [(0.3, f"{info}Saving the model to /opt/ml/model/xgboost-model")]
        if ended_by == "Failed":
            # The algorithm's own report, then the traceback the FailureReason carries.
            reason = (self.scenario.failure_reason or "AlgorithmError: framework error: ").split("\n")
            error = f"[{XGB_TIME}:ERROR] "
            return [
                (0.2, f"{error}Reporting training FAILURE"),
                (0.0, error + reason[0].split("AlgorithmError: ", 1)[-1]),
            ] + [(0.0, line) for line in reason[1:] if line.strip()]
        return super().tail(ended_by)


class NeuronX(Writer):
    """NeuronX Distributed pretraining on Trainium: one LOG line per logging step, Neuron runtime chatter."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.step_seconds = 9.6
        self.batch = int(self.scenario.hyperparameters.get("global_batch_size", 1024))
        if self.host == 1:
            self.rules.append(Rule(60 * self.sub, 11, 2, self.checkpoint))
        period = 131 + 4 * (self.host % 9)
        self.rules.append(Rule(period, (self.host * 37) % period, 1, self.warning))

    def runtime(self, when: datetime, level: str, text: str) -> str:
        """A Neuron runtime log line."""
        pid = 4100 + self.host
        return f"{when:%Y-%b-%d %H:%M:%S}.{when.microsecond:06d} {pid}:{pid + 212} {level:<5} {text}"

    def runtime_template(self, text: str) -> str:
        pid = 4100 + self.host
        return f"{NEURON_TIME} {pid}:{pid + 212} {text}"

    def metric_line(self, g: int, when: datetime, values: dict[str, float]) -> str | None:
        if "train:loss" not in values:
            return None
        step = self.step(g)
        lr = 1.5e-4 * min(1.0, step / 2000)
        parts = [f"step_loss : {values['train:loss']:.4f}", f"learning_rate : {lr:.2e}"]
        if "train:throughput" in values:
            parts.append(f"throughput : {values['train:throughput']:.2f} seq/s")
        parts.append(f"grad_norm : {0.6 + 0.5 * unit(g, 'gn'):.3f}")
        return self.say(f"LOG {when:%a %b %d %H:%M:%S %Y} - (0, {step}) " + " ".join(parts))

    def chatter(self, g: int, when: datetime) -> str:
        local = int(unit(self.scenario.name, self.host, g) * self.gpus)
        return self.say(
            f"step {self.step(g)}\tstep_time {self.step_seconds * (0.98 + 0.04 * unit(g, 's')):.3f}s\t"
            f"device_mem {26 + 4 * unit(self.host, g):.2f}/32.00 GiB",
            local,
        )

    def checkpoint(self, g: int, when: datetime) -> list[str]:
        path = f"/opt/ml/checkpoints/step_{self.step(g)}"
        return [
            self.say(f"saving checkpoint to {path}"),
            self.say(f"checkpoint saved to {path}: 4096 shards, 1.02 TiB in {38 + 9 * unit(g, 'ck'):.1f}s"),
        ]

    def warning(self, g: int, when: datetime) -> list[str]:
        return [
            self.runtime(
                when,
                "WARN",
                f"NRT:nrt_tensor_allocate  nd{int(unit(g, 'nd') * 16)}:nc"
                f"{int(unit(g, 'nc') * 2)} device memory is fragmented: compacting before "
                "allocating a 268435456-byte tensor for the next collective",
            )
        ]

    def launch(self) -> list[Template]:
        lines = super().launch() + [
            (2.4, self.say("Neuron runtime 2.22.14.0 found 16 Neuron devices, 32 NeuronCores")),
            (
                0.6,
                self.say(
                    "Initializing model parallel: tensor_model_parallel_size=32, pipeline_model_parallel_size=8,"
                    f" data_parallel_size={self.gpus * self.scenario.instance_count // 256}"
                ),
            ),
            (3.1, self.say("Using cached neff from /opt/ml/checkpoints/neuron_cache: compilation skipped (PASS)")),
        ]
        if self.attempt.trained_before:
            step = int(self.attempt.trained_before / self.step_seconds)
            lines.append(
                (
                    6.0,
                    self.say(
                        f"Loading checkpoint from /opt/ml/checkpoints/step_{step - step % 375} (xser, 4096 shards)"
                    ),
                )
            )
        return lines

    def crashed(self) -> list[Template]:
        failing = 1 + int(unit(self.scenario.name, self.attempt.number, "failing") * self.scenario.instance_count)
        if self.host == failing:
            text = (
                "ERROR NRT:nrt_cc_wait  [nec_dev 7, gid 2] collective operation timed out after 1800 seconds "
                f"waiting on peer algo-{failing % self.scenario.instance_count + 1}: the EFA link reported "
                "remote access errors"
            )
        else:
            text = "ERROR NRT:nrt_cc_wait  collective operation aborted: a peer in the replica group exited"
        return [
            (0.5, self.runtime_template(text)),
            (
                0.5,
                f"[{TOOLKIT}] torch.distributed.elastic.multiprocessing.api: [ERROR] failed (exitcode: 1) "
                f"local_rank: 0 (pid: {4100 + self.host}) of binary: {self.python}",
            ),
        ]
