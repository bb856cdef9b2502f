"""Scenarios: YAML files that shape the mock's world without touching code."""
