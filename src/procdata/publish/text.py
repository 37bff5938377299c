"""A publish result as text for people (Thai by default)."""

from __future__ import annotations

from functools import partial

from procdata.i18n import be_date, message
from procdata.publish.model import PublishResult

MAX_PROBLEMS = 50
# Warnings publish prints one by one (the others it counts): what publishing itself decided.
SHOWN_WARNINGS = ("update_conflict", "contract_period_over")


def _problems(result: PublishResult, lang: str, surface: str = "cli") -> list[str]:
    lines = [message(f.code, lang, surface=surface, file=f.file, **f.params) for f in result.failures]
    errors = result.report.errors
    for problem in errors[:MAX_PROBLEMS]:
        lines.append(message(
            "publish_problem", lang, file=problem.file, sheet=problem.sheet or "-", row=problem.row or "-",
            column=problem.column or "-", header=problem.header or problem.field, message=problem.message,
        ))
    if len(errors) > MAX_PROBLEMS:
        lines.append(message("publish_more_problems", lang, surface=surface, count=f"{len(errors) - MAX_PROBLEMS:,}"))
    return lines


def publish_text(result: PublishResult, lang: str = "th", surface: str = "cli") -> str:
    """What was published where, or why nothing was; problems first.

    ``surface`` words the advice for where it is read: "cli" (commands and
    options) or "web" (the web app; see :func:`procdata.i18n.message`).
    """
    say = partial(message, surface=surface)
    errors = len(result.report.errors) + len(result.failures)
    if result.refused:
        return "\n".join([say("publish_refused", lang, errors=f"{errors:,}"), *_problems(result, lang, surface)])
    lines = []
    if result.config_cleaned:
        lines.append(say("config_cleaned", lang, file=result.config_file, keys=", ".join(result.config_cleaned)))
    if errors:
        lines += [say("publish_forced", lang, errors=f"{errors:,}"), *_problems(result, lang, surface)]
    as_of = be_date(result.as_of) if lang == "th" else result.as_of.isoformat()
    lines.append(say(
        "publish_done", lang, fiscal_year=result.fiscal_year, as_of=as_of, profile=result.profile,
        basis=say(f"publish_as_of_{result.as_of_basis}", lang), out=result.out,
    ))
    for dataset in result.datasets:
        lines.append(say(
            "publish_dataset", lang, indicator=dataset.indicator, fiscal_year=dataset.fiscal_year,
            rows=f"{dataset.rows:,}", available=f"{dataset.available:,}", derived=f"{dataset.derived_status:,}",
            files=", ".join(dataset.files),
        ))
    for skipped in result.skipped:
        reason = say(skipped.reason, lang, year=skipped.fiscal_year)
        lines.append(say("publish_skipped", lang, indicator=skipped.indicator, reason=reason))
    for year, count in result.other_years.items():
        lines.append(say("publish_other_years", lang, count=f"{count:,}", year=year))
    if result.after_as_of:
        lines.append(say("publish_after_as_of", lang, count=f"{result.after_as_of:,}", as_of=as_of))
    if result.no_year:
        lines.append(say("publish_no_year", lang, count=f"{result.no_year:,}"))
    if result.kept:
        lines.append(say("publish_kept", lang, out=result.out, count=f"{len(result.kept):,}",
                             names=", ".join(result.kept)))
    for name, kept in result.edited:
        lines.append(say("publish_edited", lang, name=name, kept=kept))
    if not result.atomic:
        lines.append(say("publish_not_atomic", lang))
    policy = {"th": {"mask": "ปิดบัง", "full": "เผยแพร่เต็ม"}}.get(lang, {}).get(result.personal_ids, result.personal_ids)
    lines.append(say("publish_masked", lang, count=f"{result.masked:,}", policy=policy))
    if result.merged:
        lines.append(say("publish_merged", lang, count=f"{result.merged:,}"))
    if result.files:
        registered = "publish_ocds_registered" if result.ocid_prefix_registered else "publish_ocds_unregistered"
        lines.append(say(registered, lang, count=f"{result.releases:,}", prefix=result.ocid_prefix))
        if result.ocds_extension:
            lines.append(say("publish_ocds_extension", lang, url=result.ocds_extension))
        else:
            lines.append(say("publish_ocds_extension_undeclared", lang))
    if result.ckan_missing:
        lines.append(say("publish_ckan_missing", lang, fields=", ".join(result.ckan_missing)))
    for problem in (p for p in result.report.warnings if p.code in SHOWN_WARNINGS):
        lines.append(say(
            "publish_problem", lang, file=problem.file, sheet=problem.sheet or "-", row=problem.row or "-",
            column=problem.column or "-", header=problem.header or problem.field, message=problem.message,
        ))
    if result.report.warnings:
        lines.append(say("publish_warnings", lang, count=f"{len(result.report.warnings):,}"))
    lines.append(say("publish_files", lang, files=", ".join(result.files)))
    archive = next((name for name in result.files if name.endswith(".zip")), "")
    lines.append(say("publish_open", lang, index=result.out / "index.html", zip=archive))
    return "\n".join(lines)
