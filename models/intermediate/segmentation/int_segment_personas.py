"""Personas: the readable name and profile of every cluster of every recorded model (from the registry)."""

from bankseg.segmentation.marts import persona_table


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("int_segment_models").project("model_version, is_current, personas_json").df()
    return persona_table(registry)
