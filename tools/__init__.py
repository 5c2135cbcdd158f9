"""Code generators and checks run by developers and tests, never imported at runtime."""
