"""Baselines that benchmarks measure our trainer against."""
