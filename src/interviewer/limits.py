"""Size limits shared by every layer (documented in the README)."""

MAX_MODEL_ANSWER_CHARS = 12_000  # of one answer (or a question's answers joined) sent to any model; the log keeps all
MAX_KEPT_REASON_CHARS = 2_000  # of a grader's reasoning kept per rubric item in the transcript
MAX_PACK_BYTES = 2_000_000  # a question pack file larger than this is refused
MAX_PACK_QUESTIONS = 2_000  # and so is a pack with more questions than this
