"""Tests of the acts: who may do each, and the same answer from every front end."""
