"""Learning from a startup's verdicts at once: hide what it rejected, move similar calls.

"Not relevant" hides that tender from the startup's matches and demotes tenders that read alike
(cosine of their embeddings above SIMILAR); "relevant", "applied" and "won" lift similar ones.
The change is per startup and immediate; explanations carry a message code saying so.
`tremplin train feedback` later refits the weights themselves from all verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from matcher.store.feedback import Verdict

POSITIVE = {Verdict.relevant: 1.0, Verdict.applied: 1.0, Verdict.won: 1.0}
NEGATIVE = {Verdict.not_relevant: 1.0}
SIMILAR = 0.5  # cosine from which two tenders count as alike (the adjustment grows to 1.0)
LIFT = 0.10  # at most this much added to the score of a call like one marked relevant
DEMOTE = 0.15  # at most this much taken from a call like one marked not relevant
NOTE_DEMOTED = "feedback_similar_not_relevant"
NOTE_LIFTED = "feedback_similar_relevant"


def hidden(verdicts: Mapping[str, Verdict]) -> set[str]:
    """Tenders the startup marked not relevant: never shown to it again (until the verdict is undone)."""
    return {tender for tender, verdict in verdicts.items() if verdict in NEGATIVE}


def adjustments(
    candidates: Sequence[str],
    verdicts: Mapping[str, Verdict],
    vectors_of: Callable[[list[str]], np.ndarray],
    known: Callable[[str], bool],
) -> tuple[np.ndarray, list[list[str]]]:
    """Score change per candidate and the note codes explaining it."""
    delta = np.zeros(len(candidates), dtype=np.float64)
    notes: list[list[str]] = [[] for _ in candidates]
    judged = [t for t, v in verdicts.items() if (v in POSITIVE or v in NEGATIVE) and known(t)]
    if not judged or not candidates:
        return delta, notes
    similarity = vectors_of(list(candidates)) @ vectors_of(judged).T
    strength = np.clip((similarity - SIMILAR) / (1.0 - SIMILAR), 0.0, 1.0)
    positive = np.array([verdicts[t] in POSITIVE for t in judged])
    lift = strength[:, positive].max(axis=1) if positive.any() else np.zeros(len(candidates))
    demote = strength[:, ~positive].max(axis=1) if (~positive).any() else np.zeros(len(candidates))
    delta = LIFT * lift - DEMOTE * demote
    for i in range(len(candidates)):
        if demote[i] > 0.05:
            notes[i].append(NOTE_DEMOTED)
        if lift[i] > 0.05:
            notes[i].append(NOTE_LIFTED)
    return delta, notes
