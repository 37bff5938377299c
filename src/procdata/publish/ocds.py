"""ocds.json: an OCDS 1.1 release package, one release per procurement record of the published years.

Mappings (stage from status, codelists, the default prefix, party ids) are data in
``data/ocds.toml``; ``procurementMethod`` is the ``ocds`` key of each method in
``data/methods.toml``. The output is valid against the official 1.1.5 schemas
vendored in ``procdata/schemas/ocds-1.1.5`` (checked in the tests). The budget
category and the investment flag are the fields ``category``, ``isInvestment`` and
``investmentBasis`` of ``planning.budget``, defined (types and meaning) as an OCDS
extension in ``data/ocds_extension``: published beside ocds.json and declared in its
``extensions`` when ``[publish] site_url`` gives their web address
(:func:`extension_files`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

import pandas as pd

from procdata.config import Config
from procdata.normalize import vocab
from procdata.normalize.text import fold
from procdata.output import plain_value
from procdata.profiles import DatasetSpec
from procdata.publish.privacy import Masker
from procdata.publish.tables import select
from procdata.resources import data

RELEASE_PACKAGE = "ocds.json"
# procdata's extension, as OCDS lays one out: its metadata and its schema patch side by side
# (the names are fixed by the extension format), at the top of the site folder, whose
# manifest lists plain names only (publish/folder.py).
EXTENSION = "extension.json"
EXTENSION_SCHEMA = "release-schema.json"


def settings() -> dict[str, Any]:
    return data("ocds")


def prefix(config: Config) -> str:
    """The agency's registered OCID prefix, else the documented placeholder (not registered)."""
    return config.ocid_prefix or settings()["default_prefix"]


def prefix_registered(config: Config) -> bool:
    return bool(config.ocid_prefix)


def local_ids(records: pd.DataFrame, agency: str) -> pd.Series:
    """The stable local id of each record: its e-GP project number, else a derivation (see ``data/ocds.toml``).

    A project-number cell holding no project number ("ไม่มี", a number short of a digit; published
    with ``--force``) is no id: records that share it are different contracting processes.
    ``records`` must be in published order; repeats of a derived id get ``-2``, ``-3``, ...
    """
    import pyarrow as pa

    from procdata.check.table import project_keys

    digits = int(settings()["derived_digits"])
    out: list[str] = []
    seen: Counter[str] = Counter()
    numbers = project_keys(pa.array(records["project_id"].astype("string").array)).to_pylist()
    for record, project in zip(records.itertuples(index=False), numbers, strict=True):
        if project:
            out.append(project)
            continue
        contract, winner = _text(record.contract_no), fold(_text(record.winner_name))
        if contract and winner:
            key = f"{agency}|contract:{contract}|{winner}"
        else:
            key = f"{agency}|item:{_text(record.report_month)}|{fold(_text(record.item_name))}"
        year = "" if pd.isna(record.fiscal_year) else str(int(record.fiscal_year))
        local = f"{year}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:digits]}"
        seen[local] += 1
        out.append(local if seen[local] == 1 else f"{local}-{seen[local]}")
    return pd.Series(out, index=records.index, dtype="string")


def in_published_order(records: pd.DataFrame, config: Config,
                       datasets: list[tuple[DatasetSpec, int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The records of the published years in published order, each with its ``ocid``.

    Returns ``records`` with an ``ocid`` column (empty for other years) and the
    ordered records of the releases. Each year is ordered as its dataset orders
    it, without the row limit, so that derived ids are numbered the same way
    every time.
    """
    frames, years = [], set()
    positions = records.assign(_position=range(len(records)))
    for spec, year in datasets:
        if year in years:
            continue
        years.add(year)
        frames.append(select(positions[positions["fiscal_year"] == year], replace(spec, limit=0)))
    ordered = pd.concat(frames, ignore_index=True) if frames else positions.iloc[0:0]
    ordered["ocid"] = (prefix(config) + "-" + local_ids(ordered, config.agency.name)).astype("string")
    by_position = pd.Series(ordered["ocid"].to_numpy(), index=ordered["_position"].to_numpy())
    with_ocid = records.assign(ocid=by_position.reindex(range(len(records))).astype("string").to_numpy())
    return with_ocid, ordered.drop(columns=["_position"])


def _text(value: object) -> str:
    value = plain_value(value)
    return "" if value is None else str(value)


def _number(value: object) -> float | None:
    value = plain_value(value)
    return None if value is None else round(float(value), 2)  # type: ignore[arg-type]


def _when(day: str | dt.date, end: bool = False) -> str:
    offset = settings()["utc_offset"]
    text = day.isoformat() if isinstance(day, dt.date) else day
    return f"{text}T{'23:59:59' if end else '00:00:00'}{offset}"


def _amount(value: float | None) -> dict[str, Any] | None:
    return None if value is None else {"amount": value, "currency": settings()["currency"]}


class _Parties:
    """The parties of one release, each once, with their roles."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def add(self, party: dict[str, Any], role: str) -> dict[str, str]:
        entry = self.by_id.setdefault(party["id"], {**party, "roles": []})
        if role not in entry["roles"]:
            entry["roles"].append(role)
        return {"id": party["id"], "name": party["name"]}

    def all(self) -> list[dict[str, Any]]:
        return list(self.by_id.values())


def _buyer(config: Config) -> dict[str, Any]:
    """The agency of the profile, with its contact point."""
    agency = config.agency
    contact = {k: v for k, v in (("name", config.ckan.maintainer or agency.name), ("email", agency.email),
                                 ("telephone", agency.phone), ("url", agency.website)) if v}
    party: dict[str, Any] = {
        "id": "buyer", "name": agency.name,
        "address": {"locality": agency.district, "region": agency.province, "countryName": settings()["country"]},
    }
    if contact:
        party["contactPoint"] = contact
    return party


def _party_id(kind: str, *words: str) -> str:
    digits = int(settings()["party_id_digits"])
    return f"{kind}-{hashlib.sha256('|'.join(fold(w) for w in words).encode('utf-8')).hexdigest()[:digits]}"


def _buyers(record: Any, config: Config, masker: Masker) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The buyer of a record, and the sub-unit that ran its procurement when that is another party.

    The record's own agency (national e-GP data) where it names one other than
    the profile's, else the profile's agency; see ``data/ocds.toml``.
    """

    def own(field: str) -> str:  # a text of the record's, citizen IDs masked as everywhere else
        return masker.text(_text(getattr(record, field, None)))[0] or ""

    name, province = own("agency_name"), own("province")
    profile = config.agency
    if not name or (fold(name) == fold(profile.name) and (not province or fold(province) == fold(profile.province))):
        buyer = _buyer(config)
    else:
        address = {k: v for k, v in (("locality", own("district")), ("region", province)) if v}
        buyer = {"id": _party_id("agency", name, province), "name": name,
                 "address": address | {"countryName": settings()["country"]}}
    unit = own("agency_unit")
    if not unit or fold(unit).startswith(fold(buyer["name"])):  # the agency itself, its address after its name
        return buyer, None
    unit_party = {"id": _party_id("unit", unit, buyer["name"], province), "name": unit, "address": buyer["address"]}
    return buyer, unit_party


def _firm(name: str, tax_id: str, fallback_id: str, masker: Masker) -> dict[str, Any]:
    """A supplier or tenderer: identified by its taxpayer ID unless that is a masked natural person's."""
    shown, _ = masker.text(name)
    shown = shown or ""
    if tax_id:
        _, masked = masker.tax_id(tax_id)
        if not masked:
            scheme = settings()["tin_scheme"]
            return {"id": f"{scheme}-{tax_id}", "name": shown,
                    "identifier": {"scheme": scheme, "id": tax_id, "legalName": shown}}
    return {"id": fallback_id, "name": shown}


def _stage(record: Any) -> dict[str, Any]:
    stages = settings()["stage"]
    status = _text(record.status) or "not_signed"
    if status == "not_signed" and (_text(record.winner_name) or _number(record.agreed_price) is not None):
        status = "awarded"
    return stages.get(status, stages["not_signed"]) | {"code": status}


def release(record: Any, ocid: str, local_id: str, config: Config, as_of: dt.date, masker: Masker) -> dict[str, Any]:
    """The release of one record (a row of the derived records, with ``status`` filled in)."""
    stage = _stage(record)
    parties = _Parties()
    agency, unit = _buyers(record, config, masker)
    buyer = parties.add(agency, "buyer")
    procuring = parties.add(unit or agency, "procuringEntity")
    title = masker.text(_text(record.item_name))[0] or ""
    method_code = _text(record.method)
    method = vocab.term("method", method_code) if method_code else None
    bids = json.loads(_text(record.bidders) or "[]")
    winner_name, winner_tax = _text(record.winner_name), _text(record.winner_tax_id)
    winner_key = fold(winner_name)
    tenderers = []
    winner_party: dict[str, str] | None = None
    for position, bid in enumerate(bids, start=1):
        name = str(bid.get("name") or "").strip()
        if not name:
            continue
        is_winner = bool(winner_key) and fold(name) == winner_key
        firm = _firm(name, winner_tax if is_winner else "", f"tenderer-{position}", masker)
        reference = parties.add(firm, "tenderer")
        tenderers.append(reference)
        if is_winner:
            winner_party = parties.add(firm, "supplier")
    if winner_name and winner_party is None:
        winner_party = parties.add(_firm(winner_name, winner_tax, "supplier-1", masker), "supplier")

    budget_amount, reference_price = _number(record.budget_amount), _number(record.reference_price)
    agreed = _number(record.agreed_price)
    tender: dict[str, Any] = {"id": local_id, "title": title, "status": stage["tender"], "procuringEntity": procuring}
    value = reference_price if reference_price is not None else budget_amount
    if value is not None:
        tender["value"] = _amount(value)
    if method is not None:
        tender["procurementMethod"] = method.get("ocds")
    written = _text(record.method_text)  # the sheet's own words; a canonical file holds just the code
    details = written if written and written != method_code else (method.label("th") if method else "")
    if details:
        tender["procurementMethodDetails"] = details
    count = plain_value(record.bidder_count)
    if count is not None or bids:
        tender["numberOfTenderers"] = int(count) if count is not None else len(bids)  # type: ignore[call-overload]
    if tenderers:
        tender["tenderers"] = tenderers

    out: dict[str, Any] = {
        "ocid": ocid, "id": f"{ocid}-{as_of.isoformat()}", "date": _when(as_of), "tag": list(stage["tag"]),
        "initiationType": "tender", "language": settings()["language"],
        "parties": parties.all(), "buyer": buyer, "planning": {"budget": _budget(record, budget_amount)},
        "tender": tender,
    }
    if stage["award"] and (winner_party is not None or agreed is not None):
        award: dict[str, Any] = {"id": "1", "title": title, "status": stage["award"]}
        if agreed is not None:
            award["value"] = _amount(agreed)
        if winner_party is not None:
            award["suppliers"] = [winner_party]
        out["awards"] = [award]
        contract_no, signed, ends = _text(record.contract_no), _text(record.contract_date), _text(record.contract_end_date)
        if stage["contract"] and (contract_no or signed):
            status = stage.get("contract_signed", stage["contract"]) if signed else stage["contract"]
            contract: dict[str, Any] = {"id": contract_no or "1", "awardID": "1", "title": title, "status": status}
            if agreed is not None:
                contract["value"] = _amount(agreed)
            if signed:
                contract["dateSigned"] = _when(signed)
                period = {"startDate": _when(signed)} | ({"endDate": _when(ends, end=True)} if ends else {})
                contract["period"] = period
            out["contracts"] = [contract]
    return out


def _budget(record: Any, amount: float | None) -> dict[str, Any]:
    category_code, source_code = _text(record.budget_category), _text(record.budget_source)
    category = vocab.term("category", category_code) if category_code else None
    source = vocab.term("source", source_code) if source_code else None
    words = [t.label("th") for t in (category, source) if t is not None]
    budget: dict[str, Any] = {}
    if words:
        budget["description"] = " · ".join(words)
    if amount is not None:
        budget["amount"] = _amount(amount)
    invests = plain_value(record.is_investment)
    # procdata extension (data/ocds_extension): category, investment flag and its basis
    budget["category"] = category_code or None
    budget["isInvestment"] = None if invests is None else bool(invests)
    budget["investmentBasis"] = _text(record.investment_basis) or None
    return budget


def release_package(records: pd.DataFrame, config: Config, as_of: dt.date, masker: Masker) -> bytes:
    """The release package of ``records`` (derived, in published order, with an ``ocid`` column)."""
    base, website = config.site_base, config.agency.website
    releases = [
        release(record, str(ocid), str(ocid)[len(prefix(config)) + 1:], config, as_of, masker)
        for record, ocid in zip(records.itertuples(index=False), records["ocid"], strict=True)
    ]
    package: dict[str, Any] = {
        "uri": f"{base}{RELEASE_PACKAGE}" if base else _urn(config, as_of),
        "version": settings()["version"],
        "publishedDate": _when(as_of),
        "publisher": {"name": config.agency.name} | ({"uri": website} if website.startswith(("https://", "http://")) else {}),
    }
    if extension_url(config):
        package["extensions"] = [extension_url(config)]
    from procdata.profiles import licences

    licence = licences().get(config.licence)
    if licence:
        package["license"] = licence["path"]
    package["releases"] = releases
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _urn(config: Config, as_of: dt.date) -> str:
    """A package URI that names it uniquely without a web address: a name-based UUID."""
    name = f"procdata:{config.agency.name}:{prefix(config)}:{as_of.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def extension_url(config: Config) -> str:
    """The absolute URL of procdata's extension.json where the site is served; "" without ``site_url``."""
    return f"{config.site_base}{EXTENSION}" if config.site_base else ""


def extension_files(config: Config) -> dict[str, bytes]:
    """procdata's extension as published beside ocds.json: extension.json and its schema patch.

    Nothing without ``[publish] site_url``: an extension is declared by the
    absolute URL of its extension.json, which is then unknown (``data/ocds.toml``).
    """
    if not config.site_base:
        return {}
    from procdata.resources import data_bytes

    metadata = json.loads(data_bytes("ocds_extension", EXTENSION))
    documentation = f"{config.site_base}{EXTENSION_SCHEMA}"  # the patch: each field's title and description
    metadata["documentationUrl"] = {lang: documentation for lang in metadata["name"]}
    if config.agency.email:
        metadata["contactPoint"] = {"name": config.agency.name, "email": config.agency.email}
    return {
        EXTENSION: (json.dumps(metadata, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        EXTENSION_SCHEMA: data_bytes("ocds_extension", EXTENSION_SCHEMA),
    }
