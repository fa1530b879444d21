"""The association's command line: runs the currency through the core's services."""
