"""Parsing: every body shape the API has sent, and plausibly will send, becomes a typed model."""

from __future__ import annotations

import copy
import datetime
import enum
from collections.abc import Mapping
from typing import Any, cast

import attrs
import pytest

from openrouter_generations import models
from openrouter_generations._validation import ModelTypeError, check_model, find_json_problem, parse_model
from openrouter_generations.models import UNSET, Unset
from openrouter_generations.testing import FakeOpenRouter, Reply

from .conftest import EXAMPLE_BODY, load_json

ADDED: list[str] = load_json("documented_api.json")["fields_added_since_2025_09"]


def test_example_body_round_trips() -> None:
    res = models.GetGenerationResponse.from_dict(copy.deepcopy(EXAMPLE_BODY))
    check_model(res)
    assert res.to_dict() == EXAMPLE_BODY
    g = res.data
    assert g.created_at == datetime.datetime(2026, 11, 20, 23, 33, 19, 433273, tzinfo=datetime.UTC)
    assert g.api_type is models.ApiType.COMPLETIONS
    assert g.data_region is models.DataRegion.GLOBAL
    assert isinstance(g.provider_responses, list)
    assert [p.routed_service_tier for p in g.provider_responses] == [
        models.RoutedServiceTier.FLEX,
        models.RoutedServiceTier.PRIORITY,
    ]
    assert g.additional_properties == {}


@pytest.mark.parametrize(("name", "fields"), [("body_2025_09.json", 31), ("body_2026_01.json", 33)])
def test_older_shapes_parse_with_absent_fields_unset(
    name: str, fields: int, server: FakeOpenRouter, lookup: Any
) -> None:
    body = load_json(name)
    assert len(body["data"]) == fields
    server.script_next(Reply(200, body))
    res = lookup(id=body["data"]["id"])
    data = res.data
    for field in ADDED:
        if field in body["data"]:
            assert not isinstance(getattr(data, field), models.Unset)
        else:
            assert getattr(data, field) is models.UNSET, field
            assert not getattr(data, field)  # UNSET is falsy, so `if data.router:` just works
    assert res.to_dict() == body  # nothing invented, nothing lost


def test_future_shape_keeps_unknown_fields_and_enum_values(server: FakeOpenRouter, lookup: Any) -> None:
    body = load_json("body_future.json")
    server.script_next(Reply(200, body))
    res = lookup(id=body["data"]["id"])
    data = res.data
    assert data.api_type == "realtime"
    assert not isinstance(data.api_type, models.ApiType)
    assert data.data_region == "asia-pacific"
    assert not isinstance(data.data_region, models.DataRegion)
    assert isinstance(data.provider_responses, list)
    first = data.provider_responses[0]
    assert first.routed_service_tier == "batch"
    assert first.additional_properties == {"region": "eu-west"}
    assert data.additional_properties == {
        "num_video_prompt": 3,
        "carbon_grams": 0.42,
        "billing": {"plan": "enterprise", "invoice_line": 17},
    }
    assert data["carbon_grams"] == 0.42
    assert res.additional_properties == {"meta": {"served_by": "edge-7"}}
    assert res.to_dict() == body


def test_known_enum_members_still_compare_as_strings() -> None:
    res = models.GetGenerationResponse.from_dict(copy.deepcopy(EXAMPLE_BODY))
    assert res.data.api_type == "completions"
    assert res.data.data_region == "global"


def test_integral_floats_for_counts_are_accepted_as_ints() -> None:
    # Token counts and app_id were `number` before they were `integer`: 42.0 is the count 42,
    # and it is stored as the int the annotation promises.
    body = copy.deepcopy(EXAMPLE_BODY)
    body["data"]["tokens_prompt"] = 42.0
    body["data"]["app_id"] = 7.0
    body["data"]["provider_responses"][0]["status"] = 429.0
    res = models.GetGenerationResponse.from_dict(body)
    check_model(res)
    assert (type(res.data.tokens_prompt), res.data.tokens_prompt) == (int, 42)
    assert (type(res.data.app_id), res.data.app_id) == (int, 7)
    assert isinstance(res.data.provider_responses, list)
    assert type(res.data.provider_responses[0].status) is int
    assert type(res.data.total_cost) is float  # a `number` stays as it was sent


def test_a_fractional_count_is_refused() -> None:
    body = copy.deepcopy(EXAMPLE_BODY)
    body["data"]["tokens_prompt"] = 42.5
    with pytest.raises(ModelTypeError, match="tokens_prompt"):
        check_model(models.GetGenerationResponse.from_dict(body))


def test_all_nulls_where_nullable() -> None:
    body = copy.deepcopy(EXAMPLE_BODY)
    not_nullable = {"id", "total_cost", "usage", "created_at", "model", "is_byok", "origin"}
    for name in body["data"]:
        if name not in not_nullable:
            body["data"][name] = None
    res = models.GetGenerationResponse.from_dict(body)
    check_model(res)
    assert res.data.provider_responses is None
    assert res.data.api_type is None
    assert res.data.data_region is None


# -- a regenerated model: the checks follow its annotations, whatever its JSON keys -----------


@attrs.define
class Line:
    """A model as the generator writes one whose JSON key (`lineCount`) is not its field name."""

    count: int
    parts: list[Line] | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {**self.additional_properties, "lineCount": self.count}
        return out if isinstance(self.parts, Unset) else {**out, "parts": [part.to_dict() for part in self.parts]}

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Line:
        d = dict(src_dict)
        raw = d.pop("parts", UNSET)
        line = cls(count=d.pop("lineCount"), parts=raw if isinstance(raw, Unset) else [Line.from_dict(x) for x in raw])
        line.additional_properties = d
        return line


@attrs.define
class Invoice:
    """Keys `grandTotal` and `lines`; reads any iterable as the list of lines, as a looser
    generator could, so that only the check stands between an object and a list."""

    total: float
    lines: list[Line] | Unset | None = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        lines = [line.to_dict() for line in self.lines] if isinstance(self.lines, list) else self.lines
        out = {**self.additional_properties, "grandTotal": self.total}
        return out if lines is UNSET else {**out, "lines": lines}

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Invoice:
        d = dict(src_dict)
        raw = d.pop("lines", UNSET)
        invoice = cls(
            total=d.pop("grandTotal"),
            lines=cast(Any, raw) if raw is None or isinstance(raw, (Unset, str)) else [Line.from_dict(x) for x in raw],
        )
        invoice.additional_properties = d
        return invoice


@attrs.define
class Order:
    """The same reading with keys that are the field names; reads any iterable as the counts too."""

    total: float
    lines: list[Order] | Unset | None = UNSET
    counts: list[int] | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        lines = [line.to_dict() for line in self.lines] if isinstance(self.lines, list) else self.lines
        return {"total": self.total} if lines is UNSET else {"total": self.total, "lines": lines}

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Order:
        d = dict(src_dict)
        raw = d.pop("lines", UNSET)
        order = cls(
            total=d.pop("total"),
            lines=cast(Any, raw) if raw is None or isinstance(raw, (Unset, str)) else [Order.from_dict(x) for x in raw],
            counts=UNSET if isinstance(counts := d.pop("counts", UNSET), Unset) else list(counts),
        )
        order.additional_properties = d
        return order


def test_a_model_whose_keys_are_not_its_field_names_is_read_and_checked() -> None:
    invoice = parse_model(Invoice, {"grandTotal": "1.5", "lines": [{"lineCount": 2}, {"lineCount": "3"}], "x": 1})
    assert (invoice.total, type(invoice.total)) == (1.5, float)
    assert isinstance(invoice.lines, list)
    assert [(line.count, type(line.count)) for line in invoice.lines] == [(2, int), (3, int)]
    assert invoice.additional_properties == {"x": 1}
    assert parse_model(Invoice, {"grandTotal": 2}).lines is UNSET
    with pytest.raises(ModelTypeError, match=r"^total: expected float, got str 'abc'$"):
        parse_model(Invoice, {"grandTotal": "abc"})
    with pytest.raises(ModelTypeError, match=r"^lines\[1\]\.count: expected int, got float 2\.5$"):
        parse_model(Invoice, {"grandTotal": 1, "lines": [{"lineCount": 2}, {"lineCount": 2.5}]})


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ([["grandTotal", 1.5]], "the body: expected an object, got array"),
        ({"grandTotal": 1, "lines": {}}, "lines: expected an array, got object"),
        (
            {"grandTotal": 1, "lines": [{"lineCount": 1, "parts": {}}]},
            r"lines\[0\]\.parts: expected an array, got object",
        ),
        (
            {"grandTotal": 1, "lines": [{"lineCount": 1}, [["lineCount", 2]]]},
            r"lines\[1\]: expected an object, got array",
        ),
    ],
)
def test_a_model_whose_keys_are_not_its_field_names_takes_no_list_for_an_object(payload: Any, problem: str) -> None:
    with pytest.raises(ModelTypeError, match=f"^{problem}$"):
        parse_model(Invoice, payload)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ([["total", 1.5]], "the body: expected an object, got array"),
        ({"total": 1, "lines": {}}, "lines: expected an array, got object"),
        ({"total": 1, "lines": [{"total": 1, "lines": {}}]}, r"lines\[0\]\.lines: expected an array, got object"),
        ({"total": 1, "lines": [{"total": 1}, [["total", 2]]]}, r"lines\[1\]: expected an object, got array"),
        # Two problems: the first in the body is named.
        ({"total": 1, "lines": [[["total", 2]], {"total": "x"}]}, r"lines\[0\]: expected an object, got array"),
        (
            {"total": 1, "lines": [{"total": 1, "lines": [{"total": "x"}]}]},
            r"lines\[0\]\.lines\[0\]\.total: .* got str 'x'",
        ),
    ],
)
def test_a_model_read_from_its_own_keys_takes_no_list_for_an_object(payload: Any, problem: str) -> None:
    with pytest.raises(ModelTypeError, match=f"^{problem}$"):
        parse_model(Order, payload)
    nested = parse_model(Order, {"total": 1, "lines": [{"total": 2, "lines": [{"total": "3"}]}]})
    assert isinstance(nested.lines, list)
    assert isinstance(nested.lines[0].lines, list)
    assert nested.lines[0].lines[0].total == 3


@attrs.define(kw_only=True)
class Parcel:
    note: str | Unset = UNSET
    sent_at: datetime.datetime
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)


@attrs.define
class Shipment:
    """A model with a list that may not be null or absent, as a later spec could have."""

    parcels: list[Parcel]
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (None, "the body: expected an object, got null"),
        ({}, "parcels: missing"),
        ({"parcels": {}}, "parcels: expected an array, got object"),
        ({"parcels": [{}]}, "parcels[0].sent_at: missing"),
        (
            {"parcels": [{"sent_at": "2026-07-16T21:31:30Z"}, {"sent_at": None}]},
            "parcels[1].sent_at: expected an RFC 3339 date-time, got null",
        ),
        ({"parcels": [{"sent_at": "2026-07-16t21:31:30z", "note": "n"}]}, None),
        ({"parcels": []}, None),
    ],
)
def test_what_a_parser_cannot_read_is_named_in_a_list_too(payload: Any, problem: str | None) -> None:
    # The message of a body the generated parser raised on: the first place it cannot read.
    assert find_json_problem(Shipment, payload) == problem


def test_a_list_of_counts_takes_the_lossless_readings_item_by_item() -> None:
    order = parse_model(Order, {"total": 1, "counts": ["1", 2.0, 3]})
    assert isinstance(order.counts, list)
    assert [(n, type(n)) for n in order.counts] == [(1, int), (2, int), (3, int)]
    assert parse_model(Order, {"total": 1, "counts": [1, 2]}).counts == [1, 2]
    with pytest.raises(ModelTypeError, match=r"^counts\[1\]: expected int, got str 'two'$"):
        parse_model(Order, {"total": 1, "counts": [1, "two"]})
    # An object read as a list of its keys is still no array.
    with pytest.raises(ModelTypeError, match=r"^counts: expected an array, got object$"):
        parse_model(Order, {"total": 1, "counts": {"1": 1}})


@attrs.define(kw_only=True)
class Trip:
    """Two date-times, the first optional and nullable, as a later spec could have."""

    left_at: datetime.datetime | Unset | None = UNSET
    arrived_at: datetime.datetime
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"arrived_at": self.arrived_at.isoformat()}
        if not isinstance(self.left_at, Unset):
            out["left_at"] = self.left_at.isoformat() if self.left_at is not None else None
        return out

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Trip:
        d = dict(src_dict)
        left = d.pop("left_at", UNSET)
        trip = cls(
            left_at=left if left is None or isinstance(left, Unset) else datetime.datetime.fromisoformat(left),
            arrived_at=datetime.datetime.fromisoformat(d.pop("arrived_at")),
        )
        trip.additional_properties = d
        return trip


@attrs.define
class Journey:
    """A model that holds a model with date-times, itself after a field without any."""

    name: str
    trip: Trip
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "trip": self.trip.to_dict()}

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Journey:
        d = dict(src_dict)
        journey = cls(name=d.pop("name"), trip=Trip.from_dict(d.pop("trip")))
        journey.additional_properties = d
        return journey


UTC = datetime.UTC


@pytest.mark.parametrize(
    ("payload", "left_at", "arrived_at"),
    [
        # The first date-time absent: the second is still read, lower-case `z` and all.
        ({"arrived_at": "2026-07-16t21:31:30z"}, UNSET, datetime.datetime(2026, 7, 16, 21, 31, 30, tzinfo=UTC)),
        # The first null: left null, the second (a leap second) read.
        (
            {"left_at": None, "arrived_at": "2016-12-31T23:59:60Z"},
            None,
            datetime.datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        ),
        (
            {"left_at": "2016-12-31T23:59:60.25z", "arrived_at": "2017-01-01T00:00:00.5z"},
            datetime.datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            datetime.datetime(2017, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
        ),
    ],
)
def test_every_date_time_of_a_model_is_read_in_every_rfc3339_form(
    payload: dict[str, Any], left_at: object, arrived_at: datetime.datetime
) -> None:
    trip = parse_model(Trip, payload)
    assert (trip.left_at, trip.arrived_at) == (left_at, arrived_at)
    journey = parse_model(Journey, {"name": "j", "trip": payload})
    assert (journey.trip.left_at, journey.trip.arrived_at) == (left_at, arrived_at)
    assert journey.name == "j"


@attrs.define
class Cart:
    """A model whose list of models is read from a JSON key (`cartLines`) that is not its name."""

    lines: list[Line]
    tags: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {"cartLines": [line.to_dict() for line in self.lines]}
        return out if isinstance(self.tags, Unset) else {**out, "tags": self.tags}

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Cart:
        d = dict(src_dict)
        cart = cls(lines=[Line.from_dict(x) for x in d.pop("cartLines")], tags=d.pop("tags", UNSET))
        cart.additional_properties = d
        return cart


@attrs.define
class Basket:
    """Keys that are the field names, around a model whose keys are not."""

    cart: Cart
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"cart": self.cart.to_dict()}

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Basket:
        d = dict(src_dict)
        basket = cls(cart=Cart.from_dict(d.pop("cart")))
        basket.additional_properties = d
        return basket


@attrs.define
class Crate:
    """Keys that are the field names, around a list of models whose keys are not."""

    carts: list[Cart]
    labels: list[str] = attrs.field(factory=list)
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"carts": [cart.to_dict() for cart in self.carts], "labels": self.labels}

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Crate:
        d = dict(src_dict)
        crate = cls(carts=[Cart.from_dict(x) for x in d.pop("carts")], labels=d.pop("labels", []))
        crate.additional_properties = d
        return crate


def test_an_object_sent_as_pairs_is_refused_under_a_json_key_that_is_not_the_field_name() -> None:
    # The path names the JSON key: it is what the sender wrote.
    with pytest.raises(ModelTypeError, match=r"^cartLines\[1\]: expected an object, got array$"):
        parse_model(Cart, {"cartLines": [{"lineCount": 1}, [["lineCount", 2]]]})
    with pytest.raises(ModelTypeError, match=r"^cart\.cartLines\[0\]: expected an object, got array$"):
        parse_model(Basket, {"cart": {"cartLines": [[["lineCount", 2]]]}})
    with pytest.raises(ModelTypeError, match=r"^carts\[1\]\.cartLines\[0\]: expected an object, got array$"):
        parse_model(Crate, {"carts": [{"cartLines": []}, {"cartLines": [[["lineCount", 2]]]}]})
    # A list that may not be absent or null takes no lone item for a list.
    assert parse_model(Crate, {"carts": [], "labels": ["a"]}).labels == ["a"]
    with pytest.raises(ModelTypeError, match=r"^labels: expected list, got str 'a'$"):
        parse_model(Crate, {"carts": [], "labels": "a"})
    basket = parse_model(Basket, {"cart": {"cartLines": [{"lineCount": "2"}]}})
    assert [(line.count, type(line.count)) for line in basket.cart.lines] == [(2, int)]
    assert parse_model(Cart, {"cartLines": [], "tags": ["a", "b"]}).tags == ["a", "b"]
    with pytest.raises(ModelTypeError, match=r"^tags\[1\]: expected str, got int 2$"):
        parse_model(Cart, {"cartLines": [], "tags": ["a", 2]})


@attrs.define
class Labelled:
    """An annotation the checks do not know (a free-form mapping), as a generator change could bring."""

    labels: dict[str, str]
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Labelled:
        return cls(labels=dict(src_dict)["labels"])


@attrs.define
class Dated:
    """A calendar date (`format: date`), which the checks do not know either."""

    on: datetime.date
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Dated:
        return cls(on=datetime.date.fromisoformat(dict(src_dict)["on"]))


def test_an_annotation_the_checks_do_not_know_fails_loudly_naming_it() -> None:
    # Never a silent pass: the field and its annotation are named, for the checks to be extended.
    with pytest.raises(TypeError, match=r"^labels: no check for annotation dict\[str, str\]$"):
        parse_model(Labelled, {"labels": {"a": "b"}})
    with pytest.raises(TypeError, match=r"^on: no check for annotation <class 'datetime\.date'>$"):
        parse_model(Dated, {"on": "2026-07-16"})


@attrs.define
class Circle:
    radius: float
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Circle:
        d = dict(src_dict)
        circle = cls(radius=d.pop("radius"))
        circle.additional_properties = d
        return circle


@attrs.define
class Square:
    side: float
    corners: list[Circle] | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Square:
        d = dict(src_dict)
        raw = d.pop("corners", UNSET)
        square = cls(side=d.pop("side"), corners=raw if isinstance(raw, Unset) else [Circle.from_dict(x) for x in raw])
        square.additional_properties = d
        return square


def _shape(raw: Any) -> Circle | Square:
    d = dict(raw)
    return Circle.from_dict(d) if "radius" in d else Square.from_dict(d)


class Colour(enum.StrEnum):
    RED = "red"


def _frame(raw: Any) -> Colour | Square | Unset | None:
    return (
        raw if raw is None or isinstance(raw, Unset) else Colour(raw) if isinstance(raw, str) else Square.from_dict(raw)
    )


def _stamps(raw: list[str]) -> list[datetime.datetime]:
    return [datetime.datetime.fromisoformat(x) for x in raw]


@attrs.define
class Drawing:
    """A union of two models, and a list of it, read from any iterable: a shape (`oneOf`) a
    later spec could have."""

    main: Circle | Square
    shapes: list[Circle | Square] | Unset = UNSET
    layers: int | list[int | None] | Unset = UNSET
    frame: Unset | Colour | Square | None = UNSET  # a model after other members
    flags: list[bool] | Unset = UNSET
    palette: list[Colour] | Unset = UNSET
    stamps: list[datetime.datetime] | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Drawing:
        d = dict(src_dict)
        raw = d.pop("shapes", UNSET)
        drawing = cls(
            main=_shape(d.pop("main")),
            shapes=raw if isinstance(raw, Unset) else [_shape(x) for x in raw],
            layers=d.pop("layers", UNSET),
            frame=_frame(d.pop("frame", UNSET)),
            flags=d.pop("flags", UNSET),
            palette=UNSET if isinstance(palette := d.pop("palette", UNSET), Unset) else [Colour(x) for x in palette],
            stamps=UNSET if isinstance(stamps := d.pop("stamps", UNSET), Unset) else _stamps(stamps),
        )
        drawing.additional_properties = d
        return drawing


def test_a_list_of_each_plain_type_is_read_item_by_item() -> None:
    drawing = parse_model(
        Drawing,
        {
            "main": {"side": 1},
            "layers": [1, None, "2"],
            "flags": [True, 0],
            "palette": ["red"],
            "stamps": ["2026-07-16T21:31:30Z"],
        },
    )
    assert drawing.layers == [1, None, 2]
    assert drawing.flags == [True, False]
    assert drawing.palette == [Colour.RED]
    assert drawing.stamps == [datetime.datetime(2026, 7, 16, 21, 31, 30, tzinfo=UTC)]
    with pytest.raises(ModelTypeError, match=r"^flags\[1\]: expected bool, got str 'yes'$"):
        parse_model(Drawing, {"main": {"side": 1}, "flags": [True, "yes"]})


def test_a_union_of_models_is_read_and_checked_member_by_member() -> None:
    drawing = parse_model(Drawing, {"main": {"radius": "2.5"}, "shapes": [{"side": 1}, {"radius": "3"}]})
    assert isinstance(drawing.main, Circle)
    assert drawing.main.radius == 2.5
    assert isinstance(drawing.shapes, list)
    assert [type(shape) for shape in drawing.shapes] == [Square, Circle]
    square, circle = drawing.shapes
    assert isinstance(square, Square)
    assert isinstance(circle, Circle)
    assert (square.side, circle.radius, type(circle.radius)) == (1, 3, int)  # "3" as the number 3
    assert parse_model(Drawing, {"main": {"side": 1}, "frame": "red"}).frame is Colour.RED
    assert parse_model(Drawing, {"main": {"side": 1}, "frame": {"side": "2"}}).frame == Square(side=2)
    # A count or a list of counts: each takes its lossless reading, stored with its type.
    for sent, read in (("3", 3), (4.0, 4), (["1", 2.0], [1, 2])):
        layers = parse_model(Drawing, {"main": {"side": 1}, "layers": sent}).layers
        assert (layers, type(layers)) == (read, type(read))
        assert not isinstance(layers, list) or [type(n) for n in layers] == [int, int]


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"main": [["radius", 1]]}, r"main: expected an object, got array"),
        ({"main": {"side": "x"}}, r"main\.side: expected float, got str 'x'"),
        ({"main": {"radius": 1}, "shapes": {}}, r"shapes: expected an array, got object"),
        ({"main": {"radius": 1}, "frame": [["side", 1]]}, r"frame: expected an object, got array"),
        ({"main": {"side": 1, "corners": [[["radius", 1]]]}}, r"main\.corners\[0\]: expected an object, got array"),
        ({"main": {"radius": 1}, "frame": {"side": "x"}}, r"frame\.side: expected float, got str 'x'"),
        (
            {"main": {"radius": 1}, "shapes": [{"side": 1}, [["side", 2]]]},
            r"shapes\[1\]: expected an object, got array",
        ),
        (
            {"main": {"radius": 1}, "shapes": [{"side": 1}, {"side": True}]},
            r"shapes\[1\]\.side: expected float, got bool True",
        ),
    ],
)
def test_a_union_of_models_takes_no_list_for_an_object(payload: Any, problem: str) -> None:
    with pytest.raises(ModelTypeError, match=f"^{problem}$"):
        parse_model(Drawing, payload)


@attrs.define
class Itinerary:
    """A list of models with date-times."""

    trips: list[Trip] | None
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Itinerary:
        d = dict(src_dict)
        raw = d.pop("trips")
        itinerary = cls(trips=None if raw is None else [Trip.from_dict(x) for x in raw])
        itinerary.additional_properties = d
        return itinerary


def test_the_date_times_of_a_list_of_models_are_read_in_every_rfc3339_form() -> None:
    sent = [
        {"arrived_at": "2026-07-16T21:31:30Z"},
        {"left_at": "2016-12-31t23:59:60z", "arrived_at": "2017-01-01T00:00:00z"},
    ]
    trips = parse_model(Itinerary, {"trips": sent}).trips
    assert trips is not None
    assert [(trip.left_at, trip.arrived_at) for trip in trips] == [
        (UNSET, datetime.datetime(2026, 7, 16, 21, 31, 30, tzinfo=UTC)),
        (datetime.datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime.datetime(2017, 1, 1, tzinfo=UTC)),
    ]
    assert sent[1]["left_at"] == "2016-12-31t23:59:60z"  # the caller's JSON is not rewritten
    assert parse_model(Itinerary, {"trips": None}).trips is None
    assert parse_model(Itinerary, {"trips": []}).trips == []
