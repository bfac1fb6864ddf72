"""``place``: the village (or at least the commune) through the injected PlaceLookup.

- A village already known for the contact is offered first ("Nhà mình ở bản X, phường Y?").
- One clear match is taken; several close ones become a choice; none is a miss whose re-prompt
  gives an example. A commune-only match is accepted (most villages are not in the gazetteer
  yet): the commune routes the report, the typed text names the village.
- ``skip`` (text key) adds a "không rõ" button answering None (route ``skip``).
- ``accept_text_after: n``: after n misses an unknown place is kept as typed (route ``typed``).
Fills the slots ``place`` (label), ``village_id``, ``commune_code``; when a new village is
chosen the contact remembers it (``contact.update``).
"""

from __future__ import annotations

from bot.domain.messages import Reply
from bot.domain.places import PlaceMatch
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Stay, Step
from bot.engine.steps.choice import pick
from bot.engine.steps.yes_no import UNKNOWN, read_yes_no
from bot.engine.types import JSON, ActionRequest

MIN_SCORE = 60.0  # below this a candidate is noise
CLEAR_LEAD = 10.0  # the best candidate wins outright when this far ahead of the next
SURE_SCORE = 85.0


def _label(m: PlaceMatch, text: str) -> str:
    if m.village is not None:
        return f"{m.village.display_name}, {m.commune.display_name}"
    if not text or key(text) == key(m.commune.display_name) or key(text) == key(m.commune.name):
        return m.commune.display_name
    return f"{text[:80]} – {m.commune.display_name}"


def _cand(m: PlaceMatch, text: str) -> JSON:
    return {"v": m.village.id if m.village else None, "c": m.commune.code, "l": _label(m, text)}


class PlaceStep(Step):
    kind = "place"
    retry_key = "retry.place"

    def initial_pending(self, ctx: Ctx, d: StepDef) -> JSON | None:
        known = self._known(ctx)
        return {"mode": "known", "tok": "k", "cand": known} if known else None

    def _known(self, ctx: Ctx) -> JSON | None:
        vid = ctx.inp.contact.village_id
        village = ctx.services.places.village(vid) if vid else None
        commune = ctx.services.places.commune(village.commune_code) if village else None
        if village is None or commune is None:
            return None
        return _cand(PlaceMatch(commune, village, 100.0, village.name), "")

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        mode = ctx.pending.get("mode")
        if mode == "known":
            label = ctx.pending["cand"]["l"]
            yes, no = ctx.button(ctx.t("place.yes"), "yes"), ctx.button(ctx.t("place.other"), "no")
            return [ctx.reply(ctx.t("place.known", place=label), (yes, no))]
        if mode == "pick":
            cands = ctx.pending["cands"]
            buttons = [ctx.button(c["l"], str(i)) for i, c in enumerate(cands, 1)]
            buttons.append(ctx.button(ctx.t("place.none"), "none"))
            return [ctx.reply(ctx.t("place.pick"), tuple(buttons))]
        skip = (ctx.button(ctx.t(str(d.get("skip"))), "skip"),) if d.get("skip") else ()
        return [ctx.reply(ctx.t(str(d.text)), skip)]

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        mode = ctx.pending.get("mode")
        if mode == "known":
            answer = read_yes_no(ctx.button_value or ctx.text)
            if answer == "yes":
                return self._answer(ctx, ctx.pending["cand"])
            if answer == "no":
                return Stay(None)
        if mode == "pick":
            cands = ctx.pending["cands"]
            if ctx.button_value == "none" or key(ctx.text) == str(len(cands) + 1):
                return Stay(None, notes=[ctx.t("place.try_again")])
            i = pick(ctx, [(str(n), c["l"], ()) for n, c in enumerate(cands)])
            if i is not None:
                return self._answer(ctx, cands[i])
        if d.get("skip") and (ctx.button_value == "skip" or self._typed_skip(ctx)):
            return Answer(None, route="skip", slots={"village_id": None, "commune_code": None})
        if ctx.button_value is not None:
            return Miss()
        return self._match(ctx, ctx.text)

    def _typed_skip(self, ctx: Ctx) -> bool:
        """ "1" (the only numbered option on SMS) or "không rõ" / "không biết"."""
        folded = key(ctx.text)
        return ctx.button_value is None and (folded == "1" or folded in UNKNOWN)

    def _match(self, ctx: Ctx, text: str) -> Outcome:
        if not key(text):
            return Miss()
        found = [m for m in ctx.services.places.match(text[:200], limit=5) if m.score >= MIN_SCORE]
        if not found:
            return self._as_typed(ctx, text)
        top = found[0]
        clear = len(found) == 1 or top.score - found[1].score >= CLEAR_LEAD
        if clear and top.score >= SURE_SCORE:
            return self._answer(ctx, _cand(top, text))
        # "bản Cang, xã Chiềng Hặc": the resident named the commune; that settles it.
        folded = f" {key(text)} "
        named = [m for m in found if m.village and f" {key(m.commune.name)} " in folded]
        if len(named) == 1 and named[0].score >= MIN_SCORE:
            return self._answer(ctx, _cand(named[0], text))
        cands = [_cand(m, text) for m in found[:5]]
        return Stay({"mode": "pick", "tok": "p", "cands": cands})

    def _as_typed(self, ctx: Ctx, text: str) -> Outcome:
        """After ``accept_text_after`` misses the typed place is taken as it is: most villages
        are not in the gazetteer yet, and a disaster report must not wait for them."""
        step = ctx.step
        limit = int(step.get("accept_text_after", 0)) if step else 0
        if limit and int(ctx.session.get("misses", 0)) >= limit:
            slots = {"village_id": None, "commune_code": None, "place": text[:120]}
            return Answer(text[:120], route="typed", slots=slots)
        return Miss()

    def _answer(self, ctx: Ctx, cand: JSON) -> Answer:
        action = None
        if cand["v"] and cand["v"] != ctx.inp.contact.village_id:
            action = ActionRequest("contact.update", {"village_id": cand["v"]})
        slots = {"village_id": cand["v"], "commune_code": cand["c"], "place": cand["l"]}
        return Answer(cand["l"], route="found", slots=slots, action=action)

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        result = self._match(ctx, value)
        return result if isinstance(result, Answer) else None

    def text_keys(self) -> set[str]:
        keys = {"place.yes", "place.other", "place.known", "place.pick", "place.none"}
        return keys | {self.retry_key, "place.try_again"}
