"""ui stage: the management UI, server-rendered on the admin port at `/`.

    install_ui(admin_app)   # adds the pages, /static and the session store

Modules: sessions (cookie -> actor, CSRF token), web (templates, dependencies, forms), app
(registration and security headers), stats (dashboard series from the event log), journey
(one event's path for the debugger), pages/* (one router per page; PAGES lists them).
"""
