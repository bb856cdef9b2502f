"""mock-efidem: an offline emulator of Efidem's SOAP Webservice Multicanal and DQE's email
lookup."""

__version__ = "0.1.0"
