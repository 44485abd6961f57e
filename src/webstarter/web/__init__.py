"""`webstarter serve`: a web page and HTTP API to choose, preview and download starters.

Needs the `web` extra (Flask and granian). Modules: source (the served template), answers
(request answers, checked as `new` checks them), renders (bounded, cached renders in removed
temporary folders), archives (zip and tar.gz), preview (file list and content), metadata
(`/metadata`), usage (`curl /`), views (routes), app (factory, errors, headers), server
(granian).
"""
