"""``manage.py admission_simulate --applicants A.csv --schools S.csv --out R.csv``: run the
grade-10 assignment engine on files (a department's "what if" before publishing).

Writes ``applicant_id,school_code,preference`` (both empty when not admitted) and prints the
cut-off of every school. Malformed input stops with every problem listed by line and column,
a non-zero exit status and no output file."""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from truongso.admissions import engine, engine_io
from truongso.admissions.checks import AdmissionInputError
from truongso.admissions.outcomes import SchoolOutcome, applicant_explain, school_outcomes


def _penalties(text: str) -> tuple[Decimal, ...]:
    try:
        return tuple(Decimal(part.strip()) for part in text.split(","))
    except InvalidOperation:
        raise CommandError(
            _("--penalties: write the NV2, NV3 … penalties separated by commas, e.g. 1,2.")
        ) from None


class Command(BaseCommand):
    help = "Assign grade-10 applicants to schools from CSV files and print the cut-offs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applicants", type=Path, required=True)
        parser.add_argument("--schools", type=Path, required=True)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--penalties", type=_penalties, default="1,2")
        parser.add_argument(
            "--tie", choices=[r.value for r in engine.TieRule], default=engine.TieRule.ADMIT_ALL
        )
        parser.add_argument("--score-max", type=Decimal, default=Decimal(60))
        parser.add_argument(
            "--explain", action="append", default=[], metavar="APPLICANT_ID",
            help="Print why this applicant got (or missed) each preference; repeatable.",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        # Vietnamese first, whatever language the calling thread last activated.
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        config = engine.EngineConfig(
            penalties=options["penalties"],
            tie_rule=engine.TieRule(options["tie"]),
            score_max=options["score_max"],
        )
        started = time.perf_counter()
        result = self._run(options["applicants"], options["schools"], config)
        elapsed = time.perf_counter() - started
        explained = [_find(result, applicant_id) for applicant_id in options["explain"]]
        engine_io.write_assignment(options["out"], result)
        self._summary(result, elapsed)
        for index in explained:
            self._explain(result, index)

    def _run(self, applicants: Path, schools: Path, config: engine.EngineConfig) -> Any:
        try:
            school_table = engine_io.read_schools(schools)
            index = {code: i for i, code in enumerate(school_table.codes)}
            table = engine_io.read_applicants(applicants, index)
            try:
                data = engine.admission_input_build(
                    config=config,
                    school_codes=school_table.codes,
                    quotas=school_table.quotas,
                    applicant_ids=table.ids,
                    scores=table.scores,
                    preferences=table.preferences,
                    excluded=table.excluded,
                    secondary=table.secondary,
                )
            except AdmissionInputError as error:
                lines = {"applicants": table.lines, "schools": school_table.lines}
                raise engine_io.input_problems_as_csv(error, applicants, schools, lines) from None
        except engine_io.CsvInputError as error:
            raise CommandError(_("Nothing was written. Problems:") + "\n" + str(error)) from None
        return engine.assignment_run(data)

    def _summary(self, result: engine.AssignmentResult, elapsed: float) -> None:
        rows = school_outcomes(result)
        width = result.data.preferences.shape[1]
        head = [
            pgettext("admissions", "School"),
            pgettext("admissions", "Quota"),
            pgettext("admissions", "Admitted"),
        ]
        head += [f"NV{k + 1}" for k in range(width)]
        head += [pgettext("admissions", "Cut-off")] + [
            pgettext("admissions", "NV%(k)s needs") % {"k": k + 1} for k in range(1, width)
        ]
        head += [
            pgettext("admissions", "Lowest score"),
            pgettext("admissions", "At cut-off"),
            pgettext("admissions", "Over quota"),
        ]
        table = [head] + [self._row(o, width) for o in rows]
        sizes = [max(len(r[c]) for r in table) for c in range(len(head))]
        for number, row in enumerate(table):
            cells = [row[0].ljust(sizes[0])] + [
                v.rjust(s) for v, s in zip(row[1:], sizes[1:], strict=True)
            ]
            self.stdout.write("  ".join(cells))
            if number == 0:
                self.stdout.write("  ".join("-" * s for s in sizes))
        self._totals(result, elapsed)

    def _row(self, o: SchoolOutcome, width: int) -> list[str]:
        marks = [_score(m) for m in o.marks[1:width]] if o.full else ["–"] * (width - 1)
        return [
            o.code,
            str(o.quota),
            str(o.admitted),
            *(str(v) for v in o.by_preference),
            _score(o.cutoff) if o.full else "–",
            *marks,
            _score(o.lowest_score) if o.lowest_score is not None else "–",
            str(o.tied_admitted + o.tied_refused) if o.full else "–",
            str(o.over_quota),
        ]

    def _totals(self, result: engine.AssignmentResult, elapsed: float) -> None:
        counts = {reason: int((result.reason == reason).sum()) for reason in engine.Reason}
        self.stdout.write(
            _(
                "%(n)s applicants: %(a)s admitted, %(p)s without a place, %(e)s excluded, "
                "%(z)s without preferences. Ties: %(rule)s. %(r)s rounds, %(t)s s."
            )
            % {
                "n": result.data.size,
                "a": counts[engine.Reason.ADMITTED],
                "p": counts[engine.Reason.NO_PLACE],
                "e": counts[engine.Reason.EXCLUDED],
                "z": counts[engine.Reason.NO_PREFERENCES],
                "rule": _("all tied admitted")
                if result.config.tie_rule is engine.TieRule.ADMIT_ALL
                else _("tie-break by secondary keys, then applicant id"),
                "r": result.rounds,
                "t": number_format(elapsed, 2),
            }
        )

    def _explain(self, result: engine.AssignmentResult, index: int) -> None:
        why = applicant_explain(result, index)
        verdict = _verdict(why.admitted_school, why.admitted_preference, why.reason)
        self.stdout.write(f"{why.applicant_id}: {verdict}")
        for line in why.lines():
            self.stdout.write(f"  {line}")


def _find(result: engine.AssignmentResult, applicant_id: str) -> int:
    """The row of an applicant named by ``--explain`` (checked before anything is written)."""
    found = (result.data.applicant_ids == applicant_id).nonzero()[0]
    if not len(found):
        raise CommandError(_("--explain: no applicant %(id)s.") % {"id": applicant_id})
    return int(found[0])


def _score(value: Decimal | None) -> str:
    return "–" if value is None else number_format(value, 2)


def _verdict(school: str | None, preference: int | None, reason: engine.Reason) -> str:
    if school is not None:
        return _("admitted to %(s)s at NV%(k)s.") % {"s": school, "k": preference}
    return {
        engine.Reason.EXCLUDED: _("not admitted: excluded (e.g. a zero in an exam)."),
        engine.Reason.NO_PREFERENCES: _("not admitted: no preference registered."),
    }.get(reason, _("not admitted: below the cut-off at every preference."))
