"""Views, registered by config.scan() through their @view_config decorators."""
