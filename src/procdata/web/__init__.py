"""``procdata serve``: the officer's own web app, a thin layer over the library like ``procdata.cli``.

``app`` wires the routes and the guard; ``views`` are the pages and actions
(each calls library functions and renders their results); ``pages`` renders
the Jinja2 templates with the words of ``data/web.toml``; ``security`` holds
the host, origin, CSRF and size checks and the headers; ``jobs`` runs long
steps beside the server with their progress; ``server`` binds and runs it.
Starlette, uvicorn and Jinja2 are imported only when the app starts, so
``procdata --help`` stays instant.
"""
