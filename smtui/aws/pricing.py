"""On-demand training prices from the AWS Price List, cached on disk for a day.

The Price List Query API (``pricing`` GetProducts) answers in us-east-1,
eu-central-1 and ap-south-1 only, for every region: the job's region is a
filter, not the endpoint. SageMaker's products are service code
``AmazonSageMaker``; a training instance is product family ``ML Instance``
with ``component`` = ``Training``, its type in ``instanceName`` and its region
in ``regionCode`` (the filters the SageMaker tooling and cost tools use). Each
``PriceList`` entry is a JSON document *in a string*; its ``terms.OnDemand``
hold the hourly price in USD.

Nothing here raises: a price is a :class:`~smtui.present.cost.Price`, and
everything else (no permission, no network, no such product) a
:class:`~smtui.present.cost.NoPrice` that says why. The disk cache is a
convenience: a corrupt or unwritable file is ignored.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from smtui.aws.errors import ACCESS_DENIED, AUTH, CONFIG, NETWORK, explain
from smtui.clock import Clock, SystemClock
from smtui.present.cost import NoPrice, Price, PriceAnswer

SERVICE_CODE = "AmazonSageMaker"
#: The regions the Price List Query API answers in.
PRICING_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
#: How long a price read from the Price List is used before it is read again.
CACHE_SECONDS = 86400.0
#: How long an answer that is not a price is kept before asking again (in memory only).
RETRY_SECONDS = 900.0


def pricing_region(region: str | None) -> str:
    """The Price List endpoint nearest to ``region``: eu-central-1 for Europe, Africa and the Middle East,
    ap-south-1 for Asia Pacific, us-east-1 otherwise."""
    region = region or ""
    if region.startswith(("eu-", "me-", "af-", "il-")):
        return "eu-central-1"
    if region.startswith("ap-"):
        return "ap-south-1"
    return "us-east-1"


def product_filters(instance_type: str, region: str) -> list[dict[str, str]]:
    """GetProducts filters for the on-demand training price of ``instance_type`` in ``region``."""
    return [
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "ML Instance"},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance_type},
        {"Type": "TERM_MATCH", "Field": "component", "Value": "Training"},
    ]


def read_price_list(entries: list[Any], instance_type: str, region: str) -> PriceAnswer:
    """The hourly on-demand USD price in a GetProducts ``PriceList`` (a list of JSON strings).

    Entries that are not what was asked for are passed over (another type or
    region, a spot or savings-plan product, a price that is not per hour);
    when several remain, the one whose usage type names training
    (``USE1-Train:ml.g5.2xlarge``) wins.
    """
    candidates: list[tuple[bool, Price]] = []
    for entry in entries:
        try:
            document = json.loads(entry) if isinstance(entry, str) else entry
            attributes = document["product"]["attributes"]
            terms = document["terms"].get("OnDemand") or {}
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        if not isinstance(attributes, Mapping) or not isinstance(terms, Mapping):
            continue
        if attributes.get("instanceName", instance_type) != instance_type:
            continue
        if attributes.get("regionCode", region) != region:
            continue
        usage = str(attributes.get("usagetype", ""))
        if "spot" in usage.lower() or "spot" in str(attributes.get("platoinstancetype", "")).lower():
            continue
        for term in terms.values():
            price = _hourly_usd(term)
            if price is not None:
                effective = term.get("effectiveDate") if isinstance(term.get("effectiveDate"), str) else None
                candidates.append(
                    (usage.endswith(f"Train:{instance_type}"), Price(instance_type, region, price, effective))
                )
    if not candidates:
        return NoPrice(f"the AWS Price List has no on-demand training price for {instance_type} in {region}")
    candidates.sort(key=lambda c: not c[0])  # a training usage type first
    return candidates[0][1]


def _hourly_usd(term: Any) -> float | None:
    if not isinstance(term, Mapping):
        return None
    for dimension in (term.get("priceDimensions") or {}).values():
        if not isinstance(dimension, Mapping) or str(dimension.get("unit", "Hrs")).lower() not in ("hrs", "hours"):
            continue
        try:
            value = float((dimension.get("pricePerUnit") or {})["USD"])
        except (KeyError, TypeError, ValueError):
            continue
        if value > 0:  # a zero price is a free-tier or placeholder row, not a rate
            return value
    return None


def cache_path() -> Path:
    """Where prices are kept: ``$XDG_CACHE_HOME/smtui/prices.json`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "smtui" / "prices.json"


class PriceCache:
    """Prices on disk, one per region and instance type, each used for a day."""

    def __init__(self, path: Path | None = None, clock: Clock | None = None, max_age: float = CACHE_SECONDS):
        self.path = path or cache_path()
        self.clock = clock or SystemClock()
        self.max_age = max_age

    def get(self, instance_type: str, region: str) -> Price | None:
        """The price read less than a day ago, or None (also when the file is missing or unreadable)."""
        entry = self._read().get(f"{region}/{instance_type}")
        if not isinstance(entry, Mapping):
            return None
        try:
            usd, fetched = float(entry["usd"]), float(entry["fetched"])
        except (KeyError, TypeError, ValueError):
            return None
        age = self.clock.now().timestamp() - fetched
        if not 0 <= age < self.max_age or not usd > 0:
            return None
        effective = entry.get("effective") if isinstance(entry.get("effective"), str) else None
        return Price(instance_type, region, usd, effective)

    def put(self, price: Price) -> None:
        """Keep ``price``; a file that cannot be written is left as it is."""
        entries = self._read()
        now = self.clock.now().timestamp()
        # Entries past their day are dropped, so the file does not grow for ever.
        entries = {
            k: v
            for k, v in entries.items()
            if isinstance(v, Mapping)
            and isinstance(v.get("fetched"), (int, float))
            and now - v["fetched"] < self.max_age
        }
        entries[f"{price.region}/{price.instance_type}"] = {
            "usd": price.usd_per_hour,
            "fetched": now,
            "effective": price.effective,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed, so a reader never sees half a file.
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".prices-", suffix=".json")
            try:
                with os.fdopen(fd, "w") as handle:
                    json.dump(entries, handle)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


#: Opens (or returns) a pricing client for one of :data:`PRICING_REGIONS`.
ClientFor = Callable[[str], Awaitable[Any]]


class PriceBook:
    """Looks up training prices: from the disk cache, else one GetProducts call per region and type.

    Concurrent asks for the same price share one call. Answers that are not
    prices are kept in memory for :data:`RETRY_SECONDS`, then asked again.
    """

    def __init__(self, client_for: ClientFor, cache: PriceCache | None = None, clock: Clock | None = None) -> None:
        self._client_for = client_for
        self.clock = clock or SystemClock()
        self.cache = cache or PriceCache(clock=self.clock)
        self._answers: dict[tuple[str, str], tuple[float, PriceAnswer]] = {}
        self._pending: dict[tuple[str, str], asyncio.Future] = {}
        #: GetProducts calls made.
        self.calls = 0

    def known(self, instance_type: str, region: str) -> PriceAnswer | None:
        """The answer already at hand, without any call (None if there is none yet)."""
        held = self._answers.get((region, instance_type))
        if held is not None and (isinstance(held[1], Price) or self.clock.now().timestamp() - held[0] < RETRY_SECONDS):
            return held[1]
        return self.cache.get(instance_type, region)

    async def price(self, instance_type: str | None, region: str | None) -> PriceAnswer:
        """The on-demand training price of ``instance_type`` in ``region``, or why there is none."""
        if not instance_type:
            return NoPrice("the job names no instance type")
        if not region:
            return NoPrice("the job's region is not known")
        known = self.known(instance_type, region)
        if known is not None:
            return known
        key = (region, instance_type)
        if key in self._pending:
            return await asyncio.shield(self._pending[key])
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            answer = await self._fetch(instance_type, region)
            self._answers[key] = (self.clock.now().timestamp(), answer)
            if isinstance(answer, Price):
                self.cache.put(answer)
            future.set_result(answer)
            return answer
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here: nobody else may be waiting
            raise
        finally:
            del self._pending[key]

    async def _fetch(self, instance_type: str, region: str) -> PriceAnswer:
        entries: list[Any] = []
        token: str | None = None
        try:
            client = await self._client_for(pricing_region(region))
            for _ in range(10):  # a handful of pages at most: the filters leave a few products
                request: dict[str, Any] = {
                    "ServiceCode": SERVICE_CODE,
                    "FormatVersion": "aws_v1",
                    "Filters": product_filters(instance_type, region),
                    "MaxResults": 100,
                }
                if token:
                    request["NextToken"] = token
                self.calls += 1
                response = await client.get_products(**request)
                entries.extend(response.get("PriceList") or ())
                token = response.get("NextToken")
                if not token:
                    break
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure is a reason shown instead of a price
            return NoPrice(_why(exc))
        return read_price_list(entries, instance_type, region)


def _why(exc: BaseException) -> str:
    error = explain(exc)
    if error.kind == ACCESS_DENIED:
        return "no permission for pricing:GetProducts"
    if error.kind == NETWORK:
        return "the AWS Price List could not be reached"
    if error.kind in (AUTH, CONFIG):
        return f"the AWS Price List could not be asked: {error.message}"
    return f"the AWS Price List answered: {error.message}"
