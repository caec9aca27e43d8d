"""Checks above the assessment: a submission and what the assessment made of it, judged once.

`files.check_file` is the one pass that reads a file, assesses it once and runs every check of
`checks.CHECKS`, for every command and page. Nothing is imported here, so that importing a module
of this package (as the commands do inside their functions) loads no check it does not use.
"""
