"""What each `interviewer` command does, one module per command (the Typer wiring is in `cli.py`)."""
