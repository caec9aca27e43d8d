"""HTTP plumbing shared by the JSON API (`citykpi.api`) and the pages (`citykpi.web`).

Who is calling (token or session cookie), CSRF checks, the per-process caches and the request
dependencies live here once, so that the two front ends import this floor and never each other;
`citykpi.app` assembles both into one application.
"""
