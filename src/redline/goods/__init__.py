"""Goods and routes: HS codes against control lists, and diversion red-flag rules."""
