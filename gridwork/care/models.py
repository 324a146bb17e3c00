"""Households in difficulty and their pairing with party members and leaders (包联困难户, seed 002)."""
