"""Dispatch help (DESIGN §8): which teams may take an order, ranked; automatic dispatch; likely duplicates."""
