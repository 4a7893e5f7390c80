"""Running legacy TF1 code unchanged (work in progress this round)."""
