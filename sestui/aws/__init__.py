"""AWS I/O: the only package that imports boto3. Every client it makes is read-only."""
