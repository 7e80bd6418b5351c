"""The statements every installation publishes (accessibility, privacy, contact) and the installation's identity."""
