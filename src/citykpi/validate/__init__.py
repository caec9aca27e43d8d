"""Checks above the assessment: a submission and what the assessment made of it, judged once.

`files.check_file` is the one pass that reads a file, assesses it once and runs every check of
`checks.CHECKS`, for every command and page. Nothing is imported here, so that `citykpi --help`
(which imports `validate.cli`) loads no check.
"""
