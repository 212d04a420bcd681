"""Function words, shared by near-duplicate shingles, summary overlap and question parsing."""

from __future__ import annotations

__all__ = ["QUESTION_WORDS", "STOP_WORDS"]

STOP_WORDS = frozenset(
    """a an the and or but of to in on at by for with from as is are was were be been being it its that
    this these those which who whom whose he she they his her their them we our you your i me my us has
    have had not no said says would will could should can may might""".split()
)

# Words a question is made of that no passage needs to contain to answer it.
QUESTION_WORDS = STOP_WORDS | frozenset(
    """what when where why how did do does done about into over under than then there any some all more
    most such very just also tell say happen happened anything something shall must""".split()
)
