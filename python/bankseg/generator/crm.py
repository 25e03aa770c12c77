"""CRM: contacts, campaigns, campaign contacts (treatment / hold-out control) and responses.

The CRM writes names given-name first ("Xiaoming Wang").  Responses hold one
row per treated contact (ACC / DEC / NR) and one row per control-group member
who opened the offered product anyway (``response_code`` null: never
contacted); ``product_code`` and ``product_opened_date`` are set for every
conversion in either group.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from bankseg.generator import textfmt as tf
from bankseg.generator.campaigns import Assignment, Campaign
from bankseg.generator.context import Ctx
from bankseg.generator.dirt import Tab
from bankseg.generator.identity import person_records
from bankseg.generator.people import People


def campaigns_table(ctx: Ctx, campaigns: list[Campaign]) -> Tab:
    n = len(campaigns)
    return Tab(
        "crm",
        "campaigns",
        {
            "campaign_id": pa.array([c.campaign_id for c in campaigns], pa.string()),
            "campaign_name": pa.array([c.name for c in campaigns], pa.string()),
            "objective": pa.array([c.objective for c in campaigns], pa.string()),
            "product_code": pa.array([c.product for c in campaigns], pa.string()),
            "target_segment": pa.array([c.target_segment for c in campaigns], pa.string()),
            "channel_code": pa.array([c.channel for c in campaigns], pa.string()),
            "start_date": tf.dates(np.array([c.start_day for c in campaigns])),
            "end_date": tf.dates(np.array([c.end_day for c in campaigns])),
            "cost_per_contact": np.array([c.cost_per_contact for c in campaigns]),
            "currency": tf.constant("CNY", n),
            "extracted_at": ctx.extracted_at("crm", n),
        },
    )


def build_crm(ctx: Ctx, people: People, asg: Assignment, log) -> tuple[list[Tab], dict]:
    members = np.flatnonzero(people.is_crm)
    rec = person_records(ctx, people, "crm", members, log, email_null=0.25, phone_null=0.05)
    rng = ctx.rng("crm")
    bd_ok = rng.random(len(rec.persons)) > 0.1
    contacts = Tab(
        "crm",
        "contacts",
        {
            "contact_id": rec.keys,
            "full_name": rec.name,
            "birth_date": tf.dates(people.birth_day[rec.persons], valid=bd_ok),
            "phone": rec.phone,
            "email": rec.email,
            "extracted_at": ctx.extracted_at("crm", len(rec.persons)),
        },
        meta={"near_dup": rec.near_dup},
    )
    camps = ctx.campaigns
    n = len(asg.person)
    cc_keys = ctx.keys["campaign_contact"].keys(people.gidx[asg.person], asg.campaign)
    camp_id = pa.array([c.campaign_id for c in camps], pa.string())
    camp_channel = pa.array([c.channel for c in camps], pa.string())
    campaign_contacts = Tab(
        "crm",
        "campaign_contacts",
        {
            "campaign_contact_id": cc_keys,
            "campaign_id": camp_id.take(pa.array(asg.campaign)),
            "contact_id": ctx.keys["contact"].keys(people.gidx[asg.person]),
            "contact_date": tf.dates(asg.contact_day),
            "channel_code": tf.with_nulls(camp_channel.take(pa.array(asg.campaign)), asg.treated),
            "group_code": tf.take(("C", "T"), asg.treated.astype(np.int64)),
            "extracted_at": ctx.extracted_at("crm", n),
        },
    )
    has_resp = asg.treated | asg.converted
    ri = np.flatnonzero(has_resp)
    prod = pa.array([c.product for c in camps], pa.string()).take(pa.array(asg.campaign[ri]))
    conv = asg.converted[ri]
    responses = Tab(
        "crm",
        "responses",
        {
            "response_id": ctx.keys["response"].keys(people.gidx[asg.person[ri]], asg.campaign[ri]),
            "campaign_contact_id": cc_keys.take(pa.array(ri)),
            "response_date": tf.dates(asg.response_day[ri], valid=asg.response_day[ri] >= 0),
            "response_code": tf.take(("ACC", "DEC", "NR"), asg.response[ri].astype(np.int64)),
            "product_code": tf.with_nulls(prod, conv),
            "product_opened_date": tf.dates(asg.opened_day[ri], valid=conv),
            "extracted_at": ctx.extracted_at("crm", len(ri)),
        },
    )
    return [contacts, campaign_contacts, responses], {"records": rec}
