"""``smtui sim``: the simulator on its own, for any AWS client; and the simulator ``smtui demo`` runs in-process."""

from __future__ import annotations

import argparse

from smtui.commands.exits import CommandFailed, UsageError


def simulator_from_args(args: argparse.Namespace):
    """The simulator of ``demo`` and ``sim``: the scripted jobs, or a fleet of ``--jobs N``; with ``--region``,
    those jobs in each region named, behind the one endpoint."""
    from smtui.sim import Simulator, regional
    from smtui.sim.fleet import fleet_scenarios
    from smtui.sim.options import realism_from_args

    scenarios = fleet_scenarios(args.jobs) if args.jobs else None
    regions = getattr(args, "region", None)
    if regions:
        return regional(regions, speed=args.speed, scenarios=scenarios, realism=realism_from_args(args))
    return Simulator(speed=args.speed, scenarios=scenarios, realism=realism_from_args(args))


def injector_from_args(args: argparse.Namespace):
    from smtui.sim.faults import FaultInjector, Faults

    try:
        faults = Faults(
            throttle_rate=args.throttle_rate,
            error_rate=args.error_rate,
            reset_rate=args.reset_rate,
            garbage_rate=args.garbage_rate,
            latency_ms=args.latency_ms,
            seed=args.fault_seed,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return FaultInjector(faults) if faults.active else None


def run_sim(args: argparse.Namespace) -> int:
    import asyncio

    from smtui.sim import serve

    simulator = simulator_from_args(args)
    injector = injector_from_args(args)
    faults = f", {injector.faults.describe()}" if injector else ""

    def ready(url: str) -> None:
        names = simulator.job_names()
        print(
            f"smtui simulator listening on {url} ({args.speed:g}x{faults}, {simulator.realism.describe()})", flush=True
        )
        regions = getattr(simulator, "regions", None)
        if regions:
            print(
                f"  regions: {', '.join(regions)}, each with these jobs (the request's signature says which); "
                "any other region has none",
                flush=True,
            )
        listed = (
            ", ".join(names) if len(names) <= 10 else f"{', '.join(names[:3])}, … {names[-1]} ({len(names)} in all)"
        )
        print(f"  jobs: {listed}", flush=True)
        for tuning in simulator.tuning_job_names():
            print(
                f"  tuning job: {tuning} ({len(simulator.training_job_names(tuning))} training jobs, launched "
                "over time)",
                flush=True,
            )
        print(
            f"  try: AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws --region {simulator.region} "
            f"--endpoint-url {url} sagemaker describe-training-job --training-job-name {simulator.job_names()[0]}",
            flush=True,
        )

    try:
        asyncio.run(serve(simulator, args.host, args.port, ready=ready, injector=injector))
    except OSError as exc:
        raise CommandFailed(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        if injector is not None:
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(injector.counts.items())) or "none"
            print(f"faults injected over {injector.requests} requests: {counts}", flush=True)
        raise
    return 0
