"""Checks shared by the quiz graders: multiple choice, sets of true statements, tokens, numbers.

``quiz_checks(key)`` binds them to a grader's unsealed answer key; failure messages explain a wrong answer
from the key's notes without printing the right one.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number


def quiz_checks(key: dict):
    """(check_choice, check_statements, check_token, check_token_set, check_value) bound to ``key``."""
    _KEY = key  # noqa: N806 - the name the checks below were written against
    def _normal_choice(value) -> str | None:
        return value.strip().lower() if isinstance(value, str) else None


    def check_choice(learner, name: str) -> None:
        spec = _KEY[name]
        value = answer(learner, name)
        got = _normal_choice(value)
        if got not in spec["options"]:
            listed = ", ".join(repr(o) for o in spec["options"])
            raise GradeFailure(f"{name} should be one of {listed} (a string), got {value!r}")
        if got != spec["answer"]:
            raise GradeFailure(f"{name} = {got!r} is not right. {spec['feedback'][got]}")


    def _letters(value, options: str) -> set[str] | None:
        if isinstance(value, str):
            items = [c for c in value if not (c.isspace() or c in ",;")]
        elif isinstance(value, (set, frozenset, list, tuple)):
            items = list(value)
        else:
            return None
        if not all(isinstance(i, str) and len(i.strip()) == 1 for i in items):
            return None
        letters = {i.strip().upper() for i in items}
        return letters if letters <= set(options) else None


    def check_statements(learner, name: str) -> None:
        spec = _KEY[name]
        value = answer(learner, name)
        letters = _letters(value, spec["options"])
        if letters is None:
            raise GradeFailure(
                f"{name} should be the set of letters of the TRUE statements, e.g. {{'A', 'C'}}, using only "
                f"{', '.join(spec['options'])}; got {value!r}"
            )
        wrong = sorted(letters ^ set(spec["answer"]))
        if wrong:
            notes = " ".join(f"[{w}] {spec['hints'][w]}" for w in wrong)
            raise GradeFailure(f"{name}: {len(wrong)} statement(s) judged wrongly: {', '.join(wrong)}. {notes}")


    def _normal_token(value) -> str | None:
        if not isinstance(value, str):
            return None
        return value.strip().split("=")[0].strip().lstrip("-").lower()


    def check_token(learner, name: str) -> None:
        spec = _KEY[name]
        value = answer(learner, name)
        got = _normal_token(value)
        if not got:
            raise GradeFailure(f"{name} should be a short string, got {value!r}")
        if got not in spec["answer"]:
            raise GradeFailure(f"{name} = {value!r} is not right. {spec['hint']}")


    def check_token_set(learner, name: str) -> None:
        spec = _KEY[name]
        value = answer(learner, name)
        if isinstance(value, str) or not isinstance(value, (set, frozenset, list, tuple)):
            raise GradeFailure(f"{name} should be a set of strings, got {value!r}")
        got = {_normal_token(v) for v in value}
        if got != set(spec["answer"]):
            raise GradeFailure(f"{name} = {value!r} is not right. {spec['hint']}")


    def check_value(learner, name: str) -> None:
        spec = _KEY[name]
        check_number(answer(learner, name), spec["answer"], name=name, rtol=0, atol=spec.get("atol", 0),
                     mistakes={k: v for k, v in spec.get("mistakes", [])})

    return check_choice, check_statements, check_token, check_token_set, check_value
