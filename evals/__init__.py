"""Reproducible measurements on real public data and on the simulator."""
