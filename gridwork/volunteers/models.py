"""Volunteer orders (居民点单—支部下单—党员接单, seed 004)."""
