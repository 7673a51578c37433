"""Property: any DescribeTrainingJob response, however odd, is rendered whole and safely.

Responses are generated from botocore's output shape for DescribeTrainingJob:
random subsets of members, short lists and maps, hostile text (Rich markup,
terminal escapes, control characters, unicode, very long values), enum values
the model does not list, NaN and infinities, naive or textual timestamps, plus
keys the model does not know and a ``ResponseMetadata`` block.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime, timedelta, timezone

import botocore.session
from dateutil.tz import tzutc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtui.present.section_text import format_value, render_text
from smtui.present.sections import (
    CONTAINERS,
    OTHER,
    SECTION_TITLES,
    FieldNode,
    describe_sections,
    iter_leaves,
    request_id,
    section_of,
    visible,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
WIDTHS = (60, 100)
MAX_DEPTH = 6
METADATA = "ResponseMetadata"
# Raw control characters a terminal could act on, and characters whose width terminals disagree on (lone
# surrogates, zero-width and direction marks, joiners, variation selectors); "\n" is the only one allowed out.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\ud800-\udfff\ufe0f]")


def output_shape():
    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model("DescribeTrainingJob").output_shape


SHAPE = output_shape()

# -- strategies ----------------------------------------------------------------------

FRAGMENTS = (
    "[bold red]x[/]",
    "[link=http://x]y[/link]",
    "[/]",
    "[",
    "]",
    "[b]",
    "\\[escaped]",
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[2J",
    "\x1b]8;;http://e\x07",
    "\x1b]0;title\x07",
    "\x1b]52;c;aGk=\x07",
    "\x07",
    "\x00",
    "\x08",
    "\x7f",
    "\x85",
    "\x9b",
    "\x1c",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\x0b",
    "\x0c",
    "\u202e",
    "\u2066",
    "\u2028",
    "\u00a0",
    "\u3000",
    "\ufeff",
    "e\u0301",
    "日本語",
    "🙂",
    "\U0001f9d1\u200d\U0001f4bb",
    "\ud800",
    "\udfff",
    "\u200b",
    "\u200f",
    "\u061c",
    "\u2764\ufe0f",
    " ",
    "  ",
    "⏎",
    "(empty)",
    "–",
    "•",
    "-",
    "x",
    "job",
    "arn:aws:sagemaker:us-east-1:123456789012:training-job/x",
    "s3://bucket/prefix/",
    "AKIAIOSFODNN7EXAMPLE",
    "-----BEGIN RSA PRIVATE KEY-----",
    "--api-key=x",
    "--hf-token",
    "2026-11-26T11:30:00Z",
)

short_text = st.one_of(
    st.text(max_size=12), st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=6).map("".join)
)
long_text = st.builds(
    lambda piece, count: piece * count,
    st.one_of(st.sampled_from(FRAGMENTS), st.text(min_size=1, max_size=8)),
    st.integers(40, 1500),
)
prefixed_text = st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(("arn:", "s3://")), short_text)
strings = st.one_of(short_text, short_text, prefixed_text, long_text)

map_keys = st.one_of(
    st.sampled_from(
        (
            "",
            " ",
            ".",
            "[0]",
            "a.b",
            "lr",
            "HF_TOKEN",
            "wandbApiKey",
            "dbPassword",
            METADATA,
            "TrainingJobName",
            "[bold]k[/]",
            "\x1b[2J",
            "\x07",
            "\x1b",
            "\n",
            "\t",
            "\u202e",
        )
    ),
    short_text,
)
# Keys the model does not know; they must land in "Other" (top level) or stay in place.
unknown_keys = st.one_of(
    st.sampled_from(("BrandNewMember", "FutureKnob", "snake_case", "X", "S3Thing", "\x07", "\x1b]0;t\x07", "\n")),
    short_text,
)

offsets = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60 - 59, 23 * 60 + 59))
# The ends of the range too: converting them to local time must not overflow.
edge_datetimes = st.builds(datetime.replace, st.sampled_from((datetime.min, datetime.max)), tzinfo=offsets)
aware_datetimes = st.one_of(
    st.datetimes(timezones=st.one_of(st.just(timezone.utc), st.just(tzutc()), offsets)), edge_datetimes
)
timestamps = st.one_of(
    aware_datetimes,
    aware_datetimes,
    st.datetimes(),
    aware_datetimes.map(datetime.isoformat),
    strings,
    st.integers(-(2**40), 2**40),
    st.floats(),
)
floats = st.one_of(st.floats(), st.sampled_from((math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324)))
integers = st.integers(-(2**63), 2**63)

scalars = st.one_of(
    st.none(), st.booleans(), integers, floats, strings, aware_datetimes, st.datetimes(), st.binary(max_size=16)
)
loose_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(unknown_keys, inner, max_size=3)),
    max_leaves=6,
)


_DICE = {sides: st.integers(0, sides - 1) for sides in (2, 3, 5, 10, 15, 40)}


def chance(draw, one_in: int) -> bool:
    """True with probability ``1/one_in``; shrinks towards False."""
    return draw(_DICE[one_in]) == one_in - 1


@st.composite
def value_of(draw, shape, depth: int = 0):
    """A value botocore could parse for ``shape`` (or one a hostile or future source could send)."""
    kind = shape.type_name
    if chance(draw, 40):
        return None
    if kind == "structure":
        if depth >= MAX_DEPTH:
            return {}
        required = set(shape.required_members)
        keep = 3 if depth == 0 else 2  # one in three members at the top, half of them below
        value = {}
        for name, member in shape.members.items():
            present = not chance(draw, 10) if name in required else chance(draw, keep)
            if present:
                value[name] = draw(value_of(member, depth + 1))
        if depth > 0 and chance(draw, 15):
            key = draw(unknown_keys.filter(lambda k: k not in shape.members))
            value[key] = draw(loose_values)
        return value
    if kind == "list":
        if depth >= MAX_DEPTH:
            return []
        return [draw(value_of(shape.member, depth + 1)) for _ in range(draw(st.integers(0, 3)))]
    if kind == "map":
        if depth >= MAX_DEPTH:
            return {}
        keys = draw(st.lists(map_keys, max_size=3, unique=True))
        return {key: draw(value_of(shape.value, depth + 1)) for key in keys}
    if kind == "string":
        if shape.enum and not chance(draw, 5):
            return draw(st.sampled_from(shape.enum))
        return draw(strings)
    if kind in ("integer", "long"):
        return draw(integers)
    if kind in ("float", "double"):
        return draw(floats)
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "timestamp":
        return draw(timestamps)
    if kind == "blob":
        return draw(st.binary(max_size=32))
    return draw(loose_values)


@st.composite
def responses(draw):
    response = draw(value_of(SHAPE)) or {}
    for key in draw(st.lists(unknown_keys, max_size=3, unique=True)):
        if key not in SHAPE.members and key != METADATA:
            response[key] = draw(loose_values)
    if chance(draw, 2):
        response[METADATA] = {
            "RequestId": draw(st.one_of(st.just("6f1f3b8c-0000-4000-8000-000000000001"), short_text)),
            "HTTPStatusCode": 200,
            "HTTPHeaders": {"x-amzn-requestid": draw(short_text)},
            "RetryAttempts": 0,
        }
    return response


# -- helpers -------------------------------------------------------------------------


def expected_nodes(response):
    """``(path, value)`` for every value in the response, containers included, as the nodes name them."""

    def walk(value, path):
        yield path, value
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, f"{path}[{index}]")

    for key, value in response.items():
        if key != METADATA:
            yield from walk(value, str(key))


def all_nodes(nodes):
    for node in nodes:
        yield node
        yield from all_nodes(node.children)


def is_container(value) -> bool:
    return isinstance(value, (dict, list))


def squashed(text: str) -> str:
    # A wrapped value continues on the next line after a hanging indent.
    return " ".join(text.split())


# -- the property --------------------------------------------------------------------


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(responses())
def test_every_response_is_rendered_whole_and_safely(response):
    found = describe_sections(response)

    # Sections in display order, each top-level field in its own section.
    titles = [section.title for section in found]
    assert titles == [title for title in SECTION_TITLES if title in titles]
    for section in found:
        assert section.fields
        for field in section.fields:
            assert section.title == (section_of(field.key) if field.key in SHAPE.members else OTHER)

    # Nothing is dropped: one node per value in the response, a leaf per scalar, same object.
    nodes: list[FieldNode] = [n for section in found for n in all_nodes(section.fields)]
    expected = list(expected_nodes(response))
    assert Counter(n.path for n in nodes) == Counter(path for path, _ in expected)
    leaves = [n for section in found for n in iter_leaves(section.fields)]
    scalar_values = [(path, value) for path, value in expected if not is_container(value)]
    assert len(leaves) == len(scalar_values)
    by_path: dict[str, list[FieldNode]] = {}
    for node in nodes:
        by_path.setdefault(node.path, []).append(node)
    for path, value in expected:
        assert any(
            (n.kind in CONTAINERS) == is_container(value) and (is_container(value) or n.value is value)
            for n in by_path[path]
        ), path

    for width in WIDTHS:
        text = render_text(response, NOW, width=width)

        # No raw control character reaches the terminal.
        assert not CONTROL.search(text), repr(CONTROL.search(text).group())

        # Every field is shown: its label, and its value (wrapped at spaces, its own line breaks kept).
        flat = squashed(text)
        for node in nodes:
            assert node.label in text, node.path
            if node.kind not in CONTAINERS or not node.children:
                one_line = format_value(node, NOW)
                assert "\n" not in one_line, node.path
                assert squashed(format_value(node, NOW, multiline=True)) in flat, node.path

        rid = request_id(response)
        if rid:
            assert text.rstrip("\n").endswith(f"Request ID  {visible(rid)}")
