"""``branch``: go to the first ``cases`` entry whose ``if`` condition holds, else ``else``.

```yaml
- id: line_check
  kind: branch
  cases: [{if: income_above_line, goto: above_line}]
  else: facts
```
"""

from __future__ import annotations

from bot.engine import registry
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Auto, Step


class BranchStep(Step):
    kind = "branch"
    interactive = False

    def run(self, ctx: Ctx, d: StepDef) -> Auto:
        for case in d.get("cases", ()):
            if registry.check(ctx, str(case["if"])):
                return Auto(next=str(case["goto"]))
        target = d.get("else")
        return Auto(next=str(target) if target else None)
