"""What the sagemaker-training toolkit prints when a script-mode container starts.

Framework containers (PyTorch, Hugging Face, Neuron) run the toolkit, which
imports the framework, installs requirements.txt, dumps the training
environment as JSON and as ``SM_*`` variables, and then prints the command it
runs. The dump names every host, so a large job's prelude is long; it is
rendered once per job with markers for the host (see
:func:`smtui.sim.loglines.fill`) and shared by all its streams.
"""

from __future__ import annotations

import json

from smtui.sim.account import bucket
from smtui.sim.instance_sizes import accelerators, cpus
from smtui.sim.lifecycle import World
from smtui.sim.loglines import HOST, MASTER, TOOLKIT, Template, python_of, script_arguments
from smtui.sim.scenarios import Scenario

#: What each style's requirements.txt installs.
REQUIREMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "transformers": (("peft", "0.13.2"), ("trl", "0.12.1"), ("datasets", "3.1.0"), ("evaluate", "0.4.3")),
    "imagenet": (("timm", "1.0.11"),),
    "nanogpt": (("tiktoken", "0.8.0"), ("wandb", "0.18.7")),
    "neuronx": (("neuronx-distributed", "0.9.0"), ("sentencepiece", "0.2.0"), ("datasets", "3.1.0")),
}


def toolkit_prelude(scenario: Scenario, world: World) -> list[Template]:
    """The sagemaker-training toolkit's start-up, up to the environment dump; host parts are markers."""
    py = python_of(scenario.image)
    hosts = [f"algo-{n}" for n in range(1, scenario.instance_count + 1)]
    neurons = accelerators(scenario.instance_type) if "trn" in scenario.instance_type else 0
    gpus = 0 if neurons else accelerators(scenario.instance_type)
    module = scenario.entry_point.rsplit(".", 1)[0] if scenario.entry_point else "train"
    source = f"{bucket(world)}/{scenario.name}/source/sourcedir.tar.gz"
    channels = {
        c: {
            "RecordWrapperType": "None",
            "S3DistributionType": "ShardedByS3Key"
            if (scenario.instance_count > 1 and c == "train")
            else "FullyReplicated",
            "TrainingInputMode": "File",
        }
        for c in scenario.channels
    }
    group = {"hosts": hosts, "instance_group_name": "homogeneousCluster", "instance_type": scenario.instance_type}
    resource = {
        "current_group_name": "homogeneousCluster",
        "current_host": "{{host}}",
        "current_instance_type": scenario.instance_type,
        "hosts": hosts,
        "instance_groups": [group],
        "network_interface_name": "eth0",
    }
    env = {
        "additional_framework_parameters": {"sagemaker_torch_distributed_enabled": True}
        if scenario.instance_count > 1
        else {},
        "channel_input_dirs": {c: f"/opt/ml/input/data/{c}" for c in scenario.channels},
        "current_host": "{{host}}",
        "current_instance_group": "homogeneousCluster",
        "current_instance_group_hosts": hosts,
        "current_instance_type": scenario.instance_type,
        "distribution_hosts": hosts if scenario.instance_count > 1 else [],
        "distribution_instance_groups": ["homogeneousCluster"] if scenario.instance_count > 1 else [],
        "framework_module": "sagemaker_pytorch_container.training:main",
        "hosts": hosts,
        "hyperparameters": dict(scenario.hyperparameters),
        "input_config_dir": "/opt/ml/input/config",
        "input_data_config": channels,
        "input_dir": "/opt/ml/input",
        "instance_groups": ["homogeneousCluster"],
        "is_hetero": False,
        "is_master": "{{master}}",
        "is_modelparallel_enabled": None,
        "is_smddpmprun_installed": gpus > 0,
        "job_name": scenario.name,
        "log_level": 20,
        "master_hostname": "algo-1",
        "model_dir": "/opt/ml/model",
        "module_dir": source,
        "module_name": module,
        "network_interface_name": "eth0",
        "num_cpus": cpus(scenario.instance_type),
        "num_gpus": gpus,
        "num_neurons": neurons,
        "output_data_dir": "/opt/ml/output/data",
        "output_dir": "/opt/ml/output",
        "output_intermediate_dir": "/opt/ml/output/intermediate",
        "resource_config": resource,
        "user_entry_point": scenario.entry_point,
    }

    def hosted(text: str) -> str:
        return text.replace('"{{master}}"', MASTER).replace("{{host}}", HOST)

    def compact(value: object) -> str:
        return hosted(json.dumps(value, separators=(",", ":"), sort_keys=True))

    log = f"{TOOLKIT} sagemaker-training-toolkit INFO     "
    lines: list[Template] = [
        (0.0, "bash: cannot set terminal process group (-1): Inappropriate ioctl for device"),
        (0.0, "bash: no job control in this shell"),
        (0.9, f"{log}Imported framework sagemaker_pytorch_container.training"),
        (
            0.1,
            f"{log}No Neurons detected (normal if no neurons installed)"
            if not neurons
            else f"{log}Found {neurons // 2} Neuron devices with {neurons} NeuronCores",
        ),
        (0.1, f"{TOOLKIT} sagemaker_pytorch_container.training INFO     Block until all host DNS lookups succeed."),
        (0.4, f"{TOOLKIT} sagemaker_pytorch_container.training INFO     Invoking user training script."),
        (0.6, f"{log}Installing dependencies from requirements.txt:"),
        (0.0, f"/opt/conda/bin/python{py} -m pip install -r requirements.txt"),
    ]
    packages = REQUIREMENTS.get(scenario.log_style.partition("/")[0], ())
    for line, (package, version) in enumerate(packages, 1):
        lines += [
            (0.7, f"Collecting {package}=={version} (from -r requirements.txt (line {line}))"),
            (0.2, f"  Downloading {package.replace('-', '_')}-{version}-py3-none-any.whl.metadata (13 kB)"),
        ]
    installed = " ".join(f"{p}-{v}" for p, v in sorted(packages))
    lines += (
        [
            (0.9, f"Installing collected packages: {', '.join(p for p, _ in packages)}"),
            (3.1, f"Successfully installed {installed}"),
            (
                0.1,
                "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour "
                "with the system package manager, possibly rendering your system unusable.It is recommended to use a "
                "virtual environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if "
                "you know what you are doing and want to suppress this warning.",
            ),
        ]
        if packages
        else [(0.4, f"Requirement already satisfied: pip in /opt/conda/lib/python{py}/site-packages (24.3.1)")]
    )
    lines += [
        (0.2, f"{log}Waiting for the process to finish and give a return code."),
        (0.0, f"{log}Done waiting for a return code. Received 0 from exiting process."),
        (
            0.1,
            f"{log}No Neurons detected (normal if no neurons installed)"
            if not neurons
            else f"{log}Found {neurons // 2} Neuron devices with {neurons} NeuronCores",
        ),
        (0.0, f"{log}Invoking user script"),
        (0.0, "Training Env:"),
    ]
    lines += [(0.0, hosted(line)) for line in json.dumps(env, indent=4, sort_keys=True).splitlines()]
    variables = {
        "SM_HOSTS": compact(hosts),
        "SM_NETWORK_INTERFACE_NAME": "eth0",
        "SM_HPS": compact(dict(scenario.hyperparameters)),
        "SM_USER_ENTRY_POINT": str(scenario.entry_point),
        "SM_FRAMEWORK_PARAMS": compact(env["additional_framework_parameters"]),
        "SM_RESOURCE_CONFIG": compact(resource),
        "SM_INPUT_DATA_CONFIG": compact(channels),
        "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data",
        "SM_CHANNELS": compact(sorted(scenario.channels)),
        "SM_CURRENT_HOST": HOST,
        "SM_CURRENT_INSTANCE_TYPE": scenario.instance_type,
        "SM_CURRENT_INSTANCE_GROUP": "homogeneousCluster",
        "SM_CURRENT_INSTANCE_GROUP_HOSTS": compact(hosts),
        "SM_INSTANCE_GROUPS": '["homogeneousCluster"]',
        "SM_INSTANCE_GROUPS_DICT": compact({"homogeneousCluster": group}),
        "SM_IS_HETERO": "false",
        "SM_MODULE_NAME": module,
        "SM_LOG_LEVEL": "20",
        "SM_FRAMEWORK_MODULE": env["framework_module"],
        "SM_INPUT_DIR": "/opt/ml/input",
        "SM_INPUT_CONFIG_DIR": "/opt/ml/input/config",
        "SM_OUTPUT_DIR": "/opt/ml/output",
        "SM_NUM_CPUS": str(env["num_cpus"]),
        "SM_NUM_GPUS": str(gpus),
        "SM_NUM_NEURONS": str(neurons),
        "SM_MODEL_DIR": "/opt/ml/model",
        "SM_MODULE_DIR": source,
        "SM_TRAINING_ENV": compact(env),
        "SM_USER_ARGS": compact(script_arguments(scenario)),
        "SM_OUTPUT_INTERMEDIATE_DIR": "/opt/ml/output/intermediate",
    }
    variables.update({f"SM_CHANNEL_{c.upper()}": f"/opt/ml/input/data/{c}" for c in scenario.channels})
    variables.update(
        {
            f"SM_HP_{k.upper()}": v if isinstance(v, str) else json.dumps(v)
            for k, v in sorted(scenario.hyperparameters.items())
        }
    )
    site = f"/opt/conda/lib/python{py}"
    variables["PYTHONPATH"] = (
        f"/opt/ml/code:/opt/conda/bin:/opt/conda/lib/python{py.replace('.', '')}.zip:"
        f"{site}:{site}/lib-dynload:{site}/site-packages"
    )
    lines.append((0.0, "Environment variables:"))
    lines += [(0.0, f"{name}={value}") for name, value in variables.items()]
    return lines
