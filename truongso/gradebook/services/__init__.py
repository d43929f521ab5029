"""Writes on the gradebook. Every save is all-or-nothing, compare-and-set per cell (no lost
update: the second writer is told what the first saved) and audited cell by cell."""
