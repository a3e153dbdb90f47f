"""Delivery notes for spoken-style practice: length, pace, filler words, STAR shape."""

from __future__ import annotations

import re

from pydantic import BaseModel

from interviewer.text.patterns import guarded

WORDS_PER_MINUTE = 150
TARGET_SECONDS = (60, 90)

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_FILLERS = {
    "um": r"\bu+m+\b",
    "uh": r"\bu+h+\b",
    "like": r"(?<![a-z] )\blike,",
    "you know": r"\byou know\b",
    "basically": r"\bbasically\b",
    "actually": r"\bactually\b",
    "literally": r"\bliterally\b",
    "kind of": r"\bkind of\b",
    "sort of": r"\bsort of\b",
    "i mean": r"\bi mean\b",
}
_STAR = {
    "situation": r"\b(at my (last|previous)|when i was|we had|our team|the context|situation|back when|"
    r"at (a|my|the) (company|startup|job)|last year)\b",
    "task": r"\b(my (job|task|goal|role|responsibility)|i was (asked|responsible|tasked)|the goal was|"
    r"needed to|had to|wanted to|deadline|target was|decide whether)\b",
    "action": r"\b(i (built|wrote|designed|proposed|decided|led|ran|set up|implemented|added|changed|"
    r"convinced|talked|pushed|created|owned|investigated|found|fixed|shipped))\b",
    "result": r"\b(as a result|result(ed)?|which (cut|reduced|improved|increased|saved)|improv\w*|reduc\w*|"
    r"increas\w*|sav(ed|ing)|\d+\s*(%|percent|ms|x\b)|in the end|outcome|we shipped|launched)\b",
}
_FILLER_PATTERNS = {name: guarded(pattern) for name, pattern in _FILLERS.items()}
_STAR_PATTERNS = {part: guarded(pattern) for part, pattern in _STAR.items()}


class DeliveryNotes(BaseModel):
    words: int
    speaking_seconds: int
    pace_verdict: str
    fillers: dict[str, int]
    star: dict[str, bool] | None = None

    def lines(self) -> list[str]:
        lo, hi = TARGET_SECONDS
        out = [f"{self.words} words, about {self.speaking_seconds} s spoken (target {lo}-{hi} s): {self.pace_verdict}."]
        if self.fillers:
            listed = ", ".join(f"{word} x{n}" for word, n in sorted(self.fillers.items(), key=lambda kv: -kv[1]))
            out.append(f"Filler words: {listed}.")
        else:
            out.append("No filler words.")
        if self.star is not None:
            missing = [part for part, present in self.star.items() if not present]
            out.append(
                "STAR shape: all four parts present." if not missing else f"STAR shape: missing {', '.join(missing)}."
            )
        return out


def analyse(text: str, *, behavioral: bool) -> DeliveryNotes:
    words = len(_WORD.findall(text))
    seconds = round(words * 60 / WORDS_PER_MINUTE)
    lo, hi = TARGET_SECONDS
    if seconds < lo:
        verdict = "short; add a concrete example or a trade-off" if words else "no answer"
    elif seconds > hi:
        verdict = "long; lead with the answer and cut detail"
    else:
        verdict = "on target"
    lowered = text.lower()
    fillers = {name: n for name, pattern in _FILLER_PATTERNS.items() if (n := len(pattern.findall(lowered)))}
    star = {part: bool(p.search(lowered)) for part, p in _STAR_PATTERNS.items()} if behavioral else None
    return DeliveryNotes(words=words, speaking_seconds=seconds, pace_verdict=verdict, fillers=fillers, star=star)
