"""The demo shop: three pages wired to pinrelay.js, to try browser collection end to end.

`pinrelay demo` serves it on its own port, so the page is a different origin from the collect
server (as a real shop and its `t.` subdomain are) and CORS, cookies and consent all take part.
"""
