"""Tests of the acts: each refuses who may not, changes nothing when it does, as its route."""
