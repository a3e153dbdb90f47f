"""Grading: one assessment per answer, item scores from a grader, evidence checks, aggregation in code.

The offline grader's matrix products are small (an answer's words against a reference's): OpenBLAS's
thread pool doubles their CPU time on two cores for no gain in wall time (measured with
`bench/offline_grade.py`), so it is held to one thread unless the user set otherwise. numpy is imported
only inside this package, so this runs before it loads.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
