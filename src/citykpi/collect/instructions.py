"""The text of the workbook's Instructions sheet, kept apart from the layout code so it reads as prose."""

from __future__ import annotations

from citykpi.model.submission import DATA_QUALITY_LABELS

INSTRUCTIONS: tuple[str, ...] = (
    "The sheets:",
    "- Cover: the city profile. Population, households, land area and GDP are the shared denominators of many "
    "KPI formulas; give them once here. Declare the currency of every money amount.",
    "- Economy, Environment, Society and Culture: one row per input component and per directly reportable value, "
    "grouped by KPI. National or local frameworks add their KPIs to the sheet of their dimension, or to a sheet "
    "named after their own dimension.",
    "",
    "Rows:",
    "- 'input' rows are the raw components (a numerator, a denominator, a count). citykpi computes the KPI from them "
    "with the formula of the KPI sheet.",
    "- 'value' rows (green Value cell) take the final KPI value when the city only has that figure. A value given "
    "here overrides the calculation; the verifier checks every override.",
    "",
    "Columns to fill (yellow):",
    "- Value: a number only, in the unit of the 'Unit' column, with a decimal point and no thousands separators "
    "(write 45, not '45 %'). Yes/no questions take yes or no; levels take one of the listed answers. Type values, "
    "do not enter formulas or links to other files: they are rejected on import.",
    "- Data source: the publication, register or department the figure comes from.",
    "- Data quality: one of the six U4SSC levels below.",
    "- Data origin: who produced the figure (e.g. national statistics office, utility, city department).",
    "- Notes: anything the verifier should know (definitions used, deviations, the year if different).",
    "- Status: 'reported' (filled automatically when a value is given), 'not available' (the city has no data) or "
    "'not applicable' (the KPI does not apply to the city, e.g. no district heating). Leave the value empty for the "
    "last two.",
    "- Verified: YES or NO, filled by the verifier only.",
    "",
    "The six data-quality levels (U4SSC collection template):",
    *(f"  {int(q)} - {label}" for q, label in DATA_QUALITY_LABELS.items()),
    "",
    "Saving the file:",
    "- Keep the Excel format (.xlsx). In LibreOffice Calc, choose 'Use Excel 2007-365!' when asked; an .ods file "
    "is refused on import.",
    "",
    "Checking the file:",
    "- Run `citykpi validate FILE.xlsx` (add `--annotate checked.xlsx` for a copy with the problems highlighted). "
    "Errors must be fixed; warnings come from plausibility checks and the verifiers' screening rules and deserve "
    "a note when the value is right.",
)
