"""mock-efidem: an offline emulator of Efidem's SOAP Webservice Multicanal and DQE's email
lookup."""

# First: it lets spyne import on Python 3.12 and 3.13 (see the module).
from mock_efidem import _compat  # noqa: F401

__version__ = "0.1.0"
