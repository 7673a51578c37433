"""Several regions and accounts behind one endpoint.

A request says where it goes in its SigV4 signature: the credential scope
names the region, and the access key belongs to an account. :class:`Regions`
holds one :class:`~smtui.sim.simulator.Simulator` per account and region, each
with its own jobs and its own request quotas, and answers each request from
the one it is signed for, so ``smtui watch --region us-east-1,us-west-2``
pointed at one endpoint sees two regions. A region (or account) it does not
hold answers as one with no jobs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import timedelta

from smtui.clock import Clock
from smtui.sim.realism import Realism
from smtui.sim.scenarios import Scenario
from smtui.sim.simulator import Simulator

#: Script seconds each further region's jobs started before the first region's, so regions do not look alike.
REGION_LEAD = 420.0


class Regions:
    """One simulator per (account, region), routed by the request's signature.

    Args:
        simulators: the regions' simulators; the first is the home one (the
            account of an access key not in ``accounts``).
        accounts: access key id → account id, for requests of other accounts.
    """

    def __init__(self, simulators: Iterable[Simulator], *, accounts: Mapping[str, str] | None = None) -> None:
        listed = list(simulators)
        if not listed:
            raise ValueError("at least one region is needed")
        self._places: dict[tuple[str, str], Simulator] = {}
        for simulator in listed:
            place = (simulator.account_id, simulator.region)
            if place in self._places:
                raise ValueError(f"two simulators for account {place[0]} in {place[1]}")
            self._places[place] = simulator
        self.home = listed[0]
        self.accounts = dict(accounts or {})
        self._lock = threading.Lock()

    @property
    def clock(self) -> Clock:
        return self.home.clock

    @property
    def region(self) -> str:
        """The home region."""
        return self.home.region

    @property
    def account_id(self) -> str:
        """The home account."""
        return self.home.account_id

    @property
    def realism(self) -> Realism:
        return self.home.realism

    @property
    def regions(self) -> list[str]:
        """The regions with jobs, in the order given."""
        return list(dict.fromkeys(region for _, region in self._places))

    def simulators(self) -> list[Simulator]:
        """The simulators with jobs, in the order given."""
        return [simulator for simulator in self._places.values() if simulator.scenarios]

    def in_region(self, region: str, account: str | None = None) -> Simulator:
        """The simulator of ``region`` (for the home account unless told otherwise); one with no jobs if none."""
        place = (account or self.home.account_id, region)
        with self._lock:
            simulator = self._places.get(place)
            if simulator is None:
                home = self.home
                simulator = self._places[place] = Simulator(
                    home.clock,
                    speed=home.speed,
                    origin=home.origin,
                    region=region,
                    account_id=place[0],
                    scenarios=[],
                    realism=home.realism,
                )
            return simulator

    def route(self, access_key: str, region: str | None) -> Simulator:
        """The simulator answering a request signed with ``access_key`` for ``region`` (None: the home region)."""
        return self.in_region(region or self.home.region, self.accounts.get(access_key))

    def job_names(self) -> list[str]:
        """The home region's standalone jobs."""
        return self.home.job_names()

    def tuning_job_names(self) -> list[str]:
        return self.home.tuning_job_names()

    def training_job_names(self, tuning_job: str) -> list[str]:
        return self.home.training_job_names(tuning_job)


def regional(
    regions: Iterable[str],
    *,
    clock: Clock | None = None,
    speed: float = 1.0,
    scenarios: Iterable[Scenario] | None = None,
    realism: Realism | None = None,
    account_id: str = "123456789012",
) -> Regions:
    """The same jobs in each of ``regions`` (the default world, or ``scenarios``), each region's started
    :data:`REGION_LEAD` script seconds before the one before it, so each shows its jobs at other stages."""
    names = list(dict.fromkeys(regions))
    if not names:
        raise ValueError("at least one region is needed")
    listed = None if scenarios is None else list(scenarios)
    first = Simulator(clock, speed=speed, region=names[0], account_id=account_id, scenarios=listed, realism=realism)
    simulators = [first]
    for index, region in enumerate(names[1:], start=1):
        origin = first.origin - timedelta(seconds=REGION_LEAD * index / first.speed)
        simulators.append(
            Simulator(
                first.clock,
                speed=speed,
                origin=origin,
                region=region,
                account_id=account_id,
                scenarios=listed,
                realism=realism,
            )
        )
    return Regions(simulators)
