"""Benchmarks and load tests, each run as a script (see the Makefile)."""
