"""What PyTorch training scripts on GPU containers print (see :mod:`smtui.sim.loglines` for the rules).

Each style's metric lines are the ones its scenarios' MetricDefinitions were written for: Hugging Face Trainer's
``{'loss': ...}`` dictionaries, the PyTorch ImageNet example's tab-separated ``Train: [3][ 120/5005]`` progress and
nanoGPT's ``iter N: loss ...``. Ordinary lines never match a metric regex, so parsing the logs gives exactly the
values CloudWatch reports. :data:`STYLES` also lists the styles of :mod:`smtui.sim.logcontainers`.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from smtui.sim.lifecycle import World
from smtui.sim.logcontainers import NeuronX, XGBoost
from smtui.sim.loglines import TOOLKIT, Rule, Template, Writer, c10, clock, unit
from smtui.sim.scenarios import Scenario

_BLOCKS = " ▏▎▍▌▋▊▉"


def bar(done: int, total: int) -> str:
    """tqdm's ``42%|████▏     |``."""
    share = min(1.0, done / total) if total else 1.0
    eighths = int(share * 80)
    cells = "█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths < 80 else "")
    return f"{int(share * 100):3d}%|{cells:<10}|"


class Transformers(Writer):
    """A Hugging Face Trainer script: tqdm on the main process, a metrics dict every logging step."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        hp, sub = self.scenario.hyperparameters, self.sub
        self.epochs = float(hp.get("epochs", hp.get("num_train_epochs", 3)) or 1)
        self.lr = float(hp.get("learning_rate", 2e-05))
        self.batch = int(hp.get("per_device_train_batch_size", 8))
        self.per_epoch = max(1, int(self.total_steps / self.epochs))
        self.examples = 2000 + int(unit(self.scenario.name, "eval") * 23000)
        #: A multi-billion-parameter model from the Hub (``model_id``), or a small one (``model_name_or_path``).
        self.large = "model_id" in hp
        share = unit(self.scenario.name, "params")
        self.parameters = int(6.5e9 + share * 1.5e9) if self.large else int(1.1e8 + share * 1.4e8)
        metrics = self.scenario.metrics
        if self.host == 1:
            for every in sorted({m.every for m in metrics if m.name.startswith("validation:")}):
                self.rules.append(Rule(every * sub, 0, 4, partial(self.evaluation, every)))
            if any("tokens" in m.name for m in metrics):
                self.rules.append(Rule(sub, 0, 1, self.throughput))
            self.rules.append(Rule(30 * sub, 17, 3, self.checkpoint))
            self.rules.append(Rule(211, 23, 4, self.tokenizers))
        period = 83 + 6 * (self.host % 5)
        self.rules.append(Rule(period, (self.host * 31) % period, 1, self.warning))

    def learning_rate(self, step: int) -> float:
        return float(f"{self.lr * max(0.0, 1 - step / max(1, self.total_steps)):.6g}")

    def trainer(self, when: datetime, line: int, text: str) -> str:
        stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
        return self.say(f"[INFO|trainer.py:{line}] {stamp} >> {text}")

    def metric_line(self, g: int, when: datetime, values: dict[str, float]) -> str | None:
        if "train:loss" not in values:
            return None
        step = self.step(g)
        fields = {
            "loss": values["train:loss"],
            "grad_norm": round(0.35 + 1.9 * unit(self.scenario.name, g, "gn"), 6),
            "learning_rate": self.learning_rate(step),
            "epoch": round(step / self.per_epoch, 2),
        }
        return self.say(repr(fields))

    def chatter(self, g: int, when: datetime) -> str:
        step = min(self.step(g), self.total_steps)
        if self.host == 1:
            elapsed = self.progress(g) - self.attempt.trained_before
            left = (self.total_steps - step) * self.step_seconds
            rate = f"{1 / self.step_seconds:.2f}it/s" if self.step_seconds < 1 else f"{self.step_seconds:.2f}s/it"
            return self.say(
                f"{bar(step, self.total_steps)} {step}/{self.total_steps} [{clock(elapsed)}<{clock(left)}, {rate}]",
                stream="stderr",
            )
        local = int(unit(self.scenario.name, g, "local") * self.gpus)
        allocated = 28 + 9 * unit(self.host, g, "mem")
        return self.say(
            f"step {step}\tmax_allocated {allocated:.2f} GiB\treserved {allocated + 3.5:.2f} GiB\t"
            f"step_time {self.step_seconds * (0.97 + 0.06 * unit(g, 'st')):.3f}s",
            local,
        )

    def evaluation(self, every: int, g: int, when: datetime) -> list[str]:
        values = self.values(g // self.sub)
        step = self.step(g)
        fields: dict[str, float] = {
            f"eval_{m.name.split(':', 1)[1]}": values[m.name]
            for m in self.scenario.metrics
            if m.name.startswith("validation:") and m.every == every and m.name in values
        }
        runtime = round(30 + 20 * unit(self.scenario.name, g, "rt"), 4)
        fields.update(
            {
                "eval_runtime": runtime,
                "eval_samples_per_second": round(self.examples / runtime, 3),
                "eval_steps_per_second": round(self.examples / runtime / 64, 3),
                "epoch": round(step / self.per_epoch, 2),
            }
        )
        return [
            self.trainer(when, 3719, "***** Running Evaluation *****"),
            self.trainer(when, 3721, f"  Num examples = {self.examples}"),
            self.trainer(when, 3724, "  Batch size = 64"),
            self.say(repr(fields)),
        ]

    def throughput(self, g: int, when: datetime) -> list[str]:
        value = self.values(g // self.sub).get("train:tokens_per_second")
        shown = f" | tokens/s: {value}" if value is not None else ""
        return [self.say(f"step {self.step(g)}{shown} | peak_mem {61 + 6 * unit(g, 'pk'):.2f} GiB")]

    def checkpoint(self, g: int, when: datetime) -> list[str]:
        path = f"/opt/ml/checkpoints/checkpoint-{self.step(g)}"
        return [
            self.trainer(when, 3801, f"Saving model checkpoint to {path}"),
            self.say(f"[INFO|configuration_utils.py:414] Configuration saved in {path}/config.json"),
            self.say(f"[INFO|modeling_utils.py:3042] Model weights saved in {path}/model.safetensors"),
        ]

    def tokenizers(self, g: int, when: datetime) -> list[str]:
        return [
            self.say(
                "huggingface/tokenizers: The current process just got forked, after parallelism has already "
                "been used. Disabling parallelism to avoid deadlocks..."
            ),
            self.say("To disable this warning, you can either:"),
            self.say("\t- Avoid using `tokenizers` before the fork if possible"),
            self.say("\t- Explicitly set the environment variable TOKENIZERS_PARALLELISM=(true | false)"),
        ]

    def warning(self, g: int, when: datetime) -> list[str]:
        site = f"/opt/conda/lib/python{self.py}/site-packages"
        local = int(unit(self.scenario.name, g, "warn") * self.gpus)
        if self.distributed and unit(g, "kind") < 0.5:
            return [
                self.say(
                    f"[W{c10(when)} ProcessGroupNCCL.cpp:4115] Warning: TORCH_NCCL_AVOID_RECORD_STREAMS=1 "
                    "has no effect for point-to-point collectives. (function operator())",
                    local,
                )
            ]
        return [
            self.say(
                f"{site}/torch/utils/checkpoint.py:1399: FutureWarning: `torch.cpu.amp.autocast(args...)` is "
                "deprecated. Please use `torch.amp.autocast('cpu', args...)` instead.",
                local,
            )
            if unit(g, "which") < 0.5
            else self.say(
                f"{site}/torch/utils/checkpoint.py:464: UserWarning: torch.utils.checkpoint: the "
                "use_reentrant parameter should be passed explicitly. In version 2.4 we will raise an "
                "exception if use_reentrant is not passed. use_reentrant=False is recommended, but if you "
                "need to preserve the current default behavior, you can pass use_reentrant=True. Refer to "
                "docs for more details on the differences between the two variants.",
                local,
            )
        ]

    def launch(self) -> list[Template]:
        lines = super().launch()
        if self.host != 1:
            return lines
        log = f"[INFO|trainer.py:{{}}] {TOOLKIT} >> "
        info = [
            (2243, "***** Running training *****"),
            (2244, f"  Num examples = {self.per_epoch * self.batch:,}"),
            (2245, f"  Num Epochs = {self.epochs:g}"),
            (2246, f"  Instantaneous batch size per device = {self.batch}"),
            (
                2249,
                "  Total train batch size (w. parallel, distributed & accumulation) = "
                f"{self.batch * self.gpus * self.scenario.instance_count}",
            ),
            (2251, f"  Total optimization steps = {self.total_steps:,}"),
            (2252, f"  Number of trainable parameters = {self.parameters:,}"),
        ]
        if self.attempt.trained_before:
            step = int(self.attempt.trained_before / self.step_seconds)
            info += [
                (2270, "  Continuing training from checkpoint, will skip to saved global_step"),
                (2272, f"  Continuing training from global step {step}"),
            ]
        shards = "Loading checkpoint shards: 100%|██████████| 4/4 [00:05<00:00,  1.32s/it]"
        loading = [(4.0, self.say(shards, stream="stderr"))] if self.large else [(1.5, self.say("Model loaded."))]
        return lines + loading + [(0.05, self.say(log.format(number) + text)) for number, text in info]

    def finished(self) -> list[Template]:
        runtime = round(self.attempt.end - self.attempt.pulled, 4)
        summary = {
            "train_runtime": runtime,
            "train_samples_per_second": round(self.total_steps * self.batch / runtime, 3),
            "train_steps_per_second": round(self.total_steps / runtime, 3),
            "train_loss": round(0.2 + unit(self.scenario.name, "tl"), 4),
            "epoch": self.epochs,
        }
        return [
            (0.2, self.say("Training completed. Do not forget to share your model on huggingface.co/models =)")),
            (0.0, self.say(repr(summary))),
            (0.3, self.say(f"[INFO|trainer.py:3801] {TOOLKIT} >> Saving model checkpoint to /opt/ml/model")),
        ]

    def traceback(self, error: str) -> list[str]:
        site = f"/opt/conda/lib/python{self.py}/site-packages"
        entry = self.scenario.entry_point or "train.py"
        frames = [
            (f"/opt/ml/code/{entry}", 231, "<module>", "main()"),
            (f"/opt/ml/code/{entry}", 224, "main", "trainer.train()"),
            (f"{site}/transformers/trainer.py", 2123, "train", "return inner_training_loop("),
            (
                f"{site}/transformers/trainer.py",
                2481,
                "_inner_training_loop",
                "tr_loss_step = self.training_step(model, inputs, num_items_in_batch)",
            ),
            (
                f"{site}/transformers/trainer.py",
                3579,
                "training_step",
                "loss = self.compute_loss(model, inputs, num_items_in_batch=num_items_in_batch)",
            ),
            (f"{site}/transformers/trainer.py", 3633, "compute_loss", "outputs = model(**inputs)"),
            (
                f"{site}/torch/nn/modules/module.py",
                1736,
                "_wrapped_call_impl",
                "return self._call_impl(*args, **kwargs)",
            ),
            (f"{site}/torch/nn/modules/module.py", 1747, "_call_impl", "return forward_call(*args, **kwargs)"),
            (f"{site}/peft/peft_model.py", 1644, "forward", "return self.base_model("),
            (
                f"{site}/transformers/models/llama/modeling_llama.py",
                1190,
                "forward",
                "logits = self.lm_head(hidden_states[:, -num_logits_to_keep:, :])",
            ),
            (f"{site}/torch/nn/modules/linear.py", 125, "forward", "return F.linear(input, self.weight, self.bias)"),
        ]
        lines = ["Traceback (most recent call last):"]
        for path, number, function, code in frames:
            lines += [f'  File "{path}", line {number}, in {function}', f"    {code}"]
        return [self.say(line, stream="stderr") for line in lines + [error]]


class ImageNet(Writer):
    """The PyTorch ImageNet example: tab-separated progress, a Test summary after each evaluation."""

    PER_EPOCH = 5005

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sub = self.sub
        if self.host == 1:
            for every in sorted({m.every for m in self.scenario.metrics if m.name.startswith("validation:")}):
                self.rules.append(Rule(every * sub, 0, 3, self.evaluation))
            self.rules.append(Rule(20 * sub, 7, 1, self.checkpoint))
        self.rules.append(Rule(149, (self.host * 67) % 149, 1, self.warning))

    def position(self, g: int) -> tuple[int, int]:
        return divmod(self.step(g), self.PER_EPOCH)

    def timing(self, g: int) -> str:
        t = self.step_seconds * (0.95 + 0.1 * unit(g, "t"))
        d = 0.002 + 0.01 * unit(g, "d")
        return f"Time {t:6.3f} ({self.step_seconds:6.3f})\tData {d:6.3f} ({d * 1.4:6.3f})"

    def metric_line(self, g: int, when: datetime, values: dict[str, float]) -> str | None:
        if "train:loss" not in values:
            return None
        epoch, i = self.position(g)
        loss = values["train:loss"]
        top1 = max(0.0, min(100.0, 100 * (1 - loss / 7.0)))
        return (
            f"Train: [{epoch}][{i:>4}/{self.PER_EPOCH}]\t{self.timing(g)}\tLoss {loss:.4f} ({loss * 1.03:.4f})\t"
            f"Acc@1 {top1:6.2f} ({top1 * 0.97:6.2f})\tAcc@5 {min(100.0, top1 * 1.3):6.2f}"
        )

    def chatter(self, g: int, when: datetime) -> str:
        epoch, i = self.position(g)
        return (
            f"Train: [{epoch}][{i:>4}/{self.PER_EPOCH}]\t{self.timing(g)}\t"
            f"Images/s {256 / self.step_seconds:7.1f}\tLR {0.1 * 0.1 ** (epoch // 30):.5f}"
        )

    def evaluation(self, g: int, when: datetime) -> list[str]:
        top1 = self.values(g // self.sub).get("validation:accuracy")
        summary = (
            f"Test:  * Acc@1 {top1:.4f} Acc@5 {min(1.0, top1 * 1.22):.4f}"
            if top1 is not None
            else "Test:  * evaluated 50000 images"
        )
        return [
            "Test: [  0/196]\tTime  2.041 ( 2.041)\tData  1.873 ( 1.873)",
            "Test: [100/196]\tTime  0.093 ( 0.112)\tData  0.001 ( 0.019)",
            summary,
        ]

    def checkpoint(self, g: int, when: datetime) -> list[str]:
        epoch, _ = self.position(g)
        return [f"=> saving checkpoint '/opt/ml/checkpoints/checkpoint.pth.tar' (epoch {epoch}, step {self.step(g)})"]

    def warning(self, g: int, when: datetime) -> list[str]:
        return [
            f"/opt/conda/lib/python{self.py}/site-packages/torch/utils/data/dataloader.py:617: UserWarning: "
            "This DataLoader will create 16 worker processes in total. Our suggested max number of worker in "
            "current system is 8, which is smaller than what this DataLoader is going to create. Please be aware "
            "that excessive worker creation might get DataLoader running slow or even freeze, lower the worker "
            "number to avoid potential slowness/freeze if necessary."
        ]

    def launch(self) -> list[Template]:
        lines = super().launch() + [
            (2.1, "=> creating model 'resnet50'"),
            (0.4, f"=> using {self.scenario.dataset}: 1281167 training images, 1000 classes"),
        ]
        if self.attempt.trained_before:
            epoch = int(self.attempt.trained_before / self.step_seconds) // self.PER_EPOCH
            lines += [
                (0.3, "=> loading checkpoint '/opt/ml/checkpoints/checkpoint.pth.tar'"),
                (1.8, f"=> loaded checkpoint '/opt/ml/checkpoints/checkpoint.pth.tar' (epoch {epoch})"),
            ]
        return lines

    def sigterm(self) -> list[str]:
        return ["=> received SIGTERM: saving checkpoint '/opt/ml/checkpoints/checkpoint.pth.tar'"]

    def finished(self) -> list[Template]:
        return [(0.4, "=> saving the final model to /opt/ml/model/model.pth")]


class NanoGPT(Writer):
    """nanoGPT's train.py: ``iter N: loss ..., time ...ms, mfu ...%`` every log interval."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.host == 1:
            self.rules.append(Rule(10 * self.sub, 3, 2, self.evaluation))
        self.rules.append(Rule(173, (self.host * 29) % 173, 1, self.warning))

    def metric_line(self, g: int, when: datetime, values: dict[str, float]) -> str | None:
        if "train:loss" not in values:
            return None
        ms = self.step_seconds * 1000 * (0.98 + 0.04 * unit(g, "ms"))
        mfu = f", mfu {values['train:mfu']:.2f}%" if "train:mfu" in values else ""
        return f"iter {self.step(g)}: loss {values['train:loss']:.4f}, time {ms:.2f}ms{mfu}"

    def chatter(self, g: int, when: datetime) -> str:
        ms = self.step_seconds * 1000 * (0.98 + 0.04 * unit(g, "ms"))
        lr = 6e-4 * max(0.1, 1 - self.step(g) / 600000)
        return f"iter {self.step(g)}: time {ms:.2f}ms, lr {lr:.4e}, tokens/iter 491,520"

    def evaluation(self, g: int, when: datetime) -> list[str]:
        return [
            f"step {self.step(g)}: evaluating 200 batches of the train and val splits",
            "saving checkpoint to /opt/ml/checkpoints/ckpt.pt",
        ]

    def warning(self, g: int, when: datetime) -> list[str]:
        return [f"[W{c10(when)} 1127 torch/_inductor/utils.py:1137] [0/1] Not enough SMs to use max_autotune_gemm mode"]

    def launch(self) -> list[Template]:
        return super().launch() + [
            (1.2, "tokens per iteration will be: 491,520"),
            (0.3, "Initializing a new model from scratch"),
            (0.0, "defaulting to vocab_size of GPT-2 to 50304 (50257 rounded up for efficiency)"),
            (1.9, "number of parameters: 123.59M"),
            (0.1, "num decayed parameter tensors: 50, with 124,354,560 parameters"),
            (0.0, "num non-decayed parameter tensors: 98, with 121,344 parameters"),
            (0.0, "using fused AdamW: True"),
            (0.1, "compiling the model... (takes a ~minute)"),
        ]

    def sigterm(self) -> list[str]:
        return ["received SIGTERM: saving checkpoint to /opt/ml/checkpoints/ckpt.pt"]


STYLES: dict[str, type[Writer]] = {
    "script": Writer,
    "transformers": Transformers,
    "imagenet": ImageNet,
    "xgboost": XGBoost,
    "nanogpt": NanoGPT,
    "neuronx": NeuronX,
}


def writer_for(scenario: Scenario, attempt, host: int, world: World, shared: list[Template]) -> Writer:
    """The writer of ``scenario``'s ``log_style`` for one host of one attempt."""
    style, _, launcher = scenario.log_style.partition("/")
    return STYLES.get(style, Writer)(scenario, attempt, host, world, launcher or "torchrun", shared)
