"""The officer's year: a workspace folder, monthly files merged into one table, and status."""
