"""sestui: find out why Amazon SES answers 554 Access denied, offline and with proof."""

__version__ = "0.1.0"
