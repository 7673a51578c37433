"""``smtui watch`` and ``smtui demo``: the full-screen app, built from the parsed command line.

Imported at start-up by the command line, so only argparse is imported here at first; the app and the
AWS clients are imported when a command runs.
"""

from __future__ import annotations

import argparse

from smtui.commands.args import check_job_names, endpoint_label, watch_places
from smtui.commands.exits import UsageError
from smtui.commands.output import require_terminal
from smtui.commands.sim import injector_from_args, simulator_from_args

DEMO_CREDENTIALS = ("smtui-demo", "smtui-demo-secret")
#: How far back ``smtui demo --jobs N`` lists: every job of the simulated fleet, at any speed.
DEMO_FLEET_SINCE = 30 * 86400.0


def _job_query(args: argparse.Namespace, *, named: bool):
    """The JobQuery of the discovery options, or None when the named jobs are all there is to watch."""
    from smtui.aws.discovery import JobQuery

    query = JobQuery(status=args.status, name_contains=args.name_contains, since=args.since, tuning_job=args.tuning_job)
    if named and query.is_default:
        return None
    return query


def _finder(args: argparse.Namespace, source, *, named: bool):
    """The JobFinder the discovery options ask for, or None."""
    query = _job_query(args, named=named)
    if query is None:
        return None
    from smtui.aws.discovery import JobFinder

    return JobFinder(source, query, limit=args.limit)


def run_watch(args: argparse.Namespace) -> int:
    names = check_job_names(args.jobs)
    options, regions, profiles = watch_places(args)
    require_terminal("watch")
    import dataclasses

    from smtui.aws.source import AwsJobSource
    from smtui.ui.app import SmtuiApp
    from smtui.ui.settings import Settings

    settings = Settings(
        interval=args.interval,
        reveal_secrets=args.show_secrets,
        max_rps=args.max_rps,
        log_lines=args.log_lines,
        read_only=args.read_only,
        bell=args.bell,
        freeze_loaded=True,
        list_interval=args.list_interval,
    )
    if len(regions) * len(profiles) > 1:
        app = _placed_app(args, names, options, regions, profiles, settings)
    else:
        source = AwsJobSource(options)
        where = endpoint_label(options)
        app = SmtuiApp(
            source,
            names,
            dataclasses.replace(settings, subtitle=where),
            finder=_finder(args, source, named=bool(names)),
        )
    app.run()
    return app.return_code or 0


def _placed_app(args: argparse.Namespace, names: list[str], options, regions, profiles, settings):
    """The app watching every profile in every region in one list: a source, a budget and a listing each."""
    if args.tuning_job:
        raise UsageError("--tuning-job watches one region and one profile: pass one --region and one --profile")
    import dataclasses

    from smtui.aws.discovery import JobFinder
    from smtui.aws.places import PlacedSource, job_id, place_kind, places
    from smtui.aws.source import AwsJobSource
    from smtui.ui.app import SmtuiApp

    placed = places(options, regions, profiles)
    source = PlacedSource({place.label: AwsJobSource(place.options) for place in placed})
    query = _job_query(args, named=bool(names))
    finders = (
        [JobFinder(source.at(place.label), query, limit=args.limit, place=place.label) for place in placed]
        if query is not None
        else None
    )
    where = ", ".join(place.label for place in placed)
    if options.endpoint_url:
        where += f" at {options.endpoint_url}"
    settings = dataclasses.replace(settings, subtitle=where, place_column=place_kind(regions, profiles))
    return SmtuiApp(source, [job_id(place.label, name) for name in names for place in placed], settings, finder=finders)


def run_demo(args: argparse.Namespace) -> int:
    from smtui.aws.discovery import JobFinder, JobQuery
    from smtui.aws.places import PlacedSource, job_id, place_kind
    from smtui.aws.source import AwsJobSource, AwsOptions
    from smtui.sim import start_in_thread
    from smtui.ui.app import SmtuiApp
    from smtui.ui.settings import Settings

    injector = injector_from_args(args)
    require_terminal("demo")
    simulator = simulator_from_args(args)
    faults = f", {injector.faults.describe()}" if injector else ""
    regions = args.region or ["us-east-1"]
    query = _job_query(args, named=True)
    limit = args.limit
    if query is None and args.jobs:
        # A fleet is listed, as a team would watch it: its rows fill from the listing's summaries.
        query, limit = JobQuery(since=DEMO_FLEET_SINCE), max(args.limit, args.jobs)
    with start_in_thread(simulator, injector=injector) as running:
        sources = {
            region if len(regions) > 1 else "": AwsJobSource(
                AwsOptions(region=region, endpoint_url=running.url, static_credentials=DEMO_CREDENTIALS)
            )
            for region in regions
        }
        source = PlacedSource(sources) if len(regions) > 1 else sources[""]
        # With no filter, the scripted jobs by name; with one (or a fleet), whatever the simulator's listing finds.
        finders = (
            [JobFinder(placed, query, limit=limit, place=place) for place, placed in sources.items()]
            if query is not None
            else None
        )
        where = f" ({', '.join(regions)})" if len(regions) > 1 else ""
        settings = Settings(
            list_interval=min(args.list_interval, max(2.0, 60.0 / args.speed)),
            interval=3.0,
            metrics_interval=max(2.0, 60.0 / args.speed),
            max_rps=args.max_rps,
            subtitle=f"demo simulator at {running.url}{where} ({args.speed:g}x{faults})",
            log_lines=args.log_lines,
            log_interval=2.0,
            read_only=args.read_only,
            bell=args.bell,
            freeze_loaded=True,
            place_column=place_kind(regions, [None]),
        )
        names = [] if finders else [job_id(place, name) for name in simulator.job_names() for place in sources]
        app = SmtuiApp(source, names, settings, finder=finders)
        app.run()
    return app.return_code or 0
