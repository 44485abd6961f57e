"""Settings for the test suite: the production settings with fixed test values.

The environment is set before the main settings are imported, because they read it at import
time (a conftest.py would run too late).
"""

import os

os.environ["DEBUG"] = "false"  # tests check production behaviour, whatever the shell says
os.environ.setdefault("SECRET_KEY", "insecure-test-key-only-for-the-test-suite-0123456789")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

from config.settings import *  # noqa: F403

# The tests use plain http://testserver; test_security.py turns the redirect on to check it.
SECURE_SSL_REDIRECT = False

# No collectstatic before the tests: serve the app's static folders directly, unhashed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
