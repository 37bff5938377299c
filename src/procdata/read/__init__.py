"""Reading: files -> sheets -> tables located by their header -> canonical records."""
