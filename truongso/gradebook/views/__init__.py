"""Pages of the gradebook: score entry (entry, homeroom, periods, approvals, xlsx)."""
