"""The shipped scenarios, packaged as ``mock_efidem.scenarios`` (see pyproject.toml)."""
