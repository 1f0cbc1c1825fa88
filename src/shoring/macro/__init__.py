"""Macro analytics: structural gravity, general-equilibrium counterfactuals, MRIO value chains
and reshoring / concentration indices.

Independent of a firm's network; reads trade data and the scenario measures only. Modules
are imported where used (``shoring.macro.gravity``, ``shoring.macro.ge`` ...), so importing
this package loads nothing heavy.
"""
