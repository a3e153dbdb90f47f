"""Practice that adapts: a spaced-repetition schedule per rubric item, and the drills it asks for."""
