"""The platform's rules and services: who may do what, the verification workflow, completion figures.

Pure rules (roles, workflow, completion) live in their own modules and know nothing of the database;
`citykpi.platform.services` applies them to the store, and both the API and the web pages call it.
"""
