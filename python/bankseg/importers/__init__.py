"""Importers: convert public or bank-specific extracts into the landing format of :mod:`bankseg.contract`."""
