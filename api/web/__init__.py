"""The web app: server-rendered pages for members, merchants and visitors.

Each page calls the core's acts (:mod:`monnaie_locale.acts`) through a
:class:`~monnaie_locale.acting.Context` built from the browser's session cookie, so a
page is refused exactly as the API would refuse the same act. Forms work without
JavaScript; every form carries a CSRF token (:mod:`api.web.session`). Pages speak French
unless the visitor chose English (:mod:`api.web.rendering`).
"""
