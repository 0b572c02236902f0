"""Benchmark scripts of arsearch (run them from the repository root)."""
