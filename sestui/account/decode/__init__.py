"""Decoders of the snapshot format, one module per part: JSON paths and errors, IAM, SES,
Organizations."""
