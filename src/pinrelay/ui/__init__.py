"""ui stage: the management UI, server-rendered on the admin port at `/`.

    install_ui(admin_app)   # adds the pages, /static and the session store (pinrelay.adminsite)

Modules: sessions (cookie -> actor, CSRF token), web (templates, dependencies, forms), app
(registration, security headers, error pages), journey (one event's path for the debugger),
snippets (what the Sources page hands out), pages/* (one router per page; PAGES lists them).
Pages act through pinrelay.services, never through the admin API's modules.
"""
