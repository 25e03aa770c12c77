"""Synthetic retail-bank generator: realistic, dirty source-system extracts plus ground truth.

``generate_bank(customers=, seed=, out=, ...)`` writes a Chinese retail bank's landing
files (``<out>/<system>/<table>/part-NNNN.parquet``, the layout of
:mod:`bankseg.contract`) for seven source systems - core banking, loans, cards,
digital, CRM, feedback, KYC - each keying the same person its own way, and
``<out>/ground_truth/`` (persons, system keys, campaign uplifts, dirt counts,
manifest) for evaluation.

Modules: ``people`` (archetypes, identities, households, churn), ``campaigns``,
``core_banking``, ``loans``, ``cards``, ``digital``, ``crm``, ``feedback``, ``kyc``,
``dirt`` (planted data-quality defects), ``bank`` (orchestration), and helpers
``calendar``, ``keys``, ``textfmt``, ``reference`` (seeds), ``identity``.
"""

from bankseg.generator.bank import (
    CHUNK_SIZE,
    DIRT_PLAN,
    GENERATOR_VERSION,
    GenerationSummary,
    GeneratorArgumentError,
    generate_bank,
)
from bankseg.generator.dirt import KINDS as DIRT_KINDS
from bankseg.generator.people import ARCHETYPE_NAMES, ARCHETYPES, NAME_STYLE, format_name

__all__ = [
    "ARCHETYPES",
    "ARCHETYPE_NAMES",
    "CHUNK_SIZE",
    "DIRT_KINDS",
    "DIRT_PLAN",
    "GENERATOR_VERSION",
    "NAME_STYLE",
    "GenerationSummary",
    "GeneratorArgumentError",
    "format_name",
    "generate_bank",
]
