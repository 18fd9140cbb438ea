"""The WSGI entry point: ``gunicorn wsgi:app``."""

import gc
import os

from marketplace import create_app

app = create_app()
# Once per server under gunicorn, which preloads the application and forks its workers from it
# (gunicorn.conf.py): a line per worker would mean each loads the code again.
app.logger.info("application loaded in process %s", os.getpid())

# What start-up built (modules, the app, SQLAlchemy's and Jinja's caches) lives as long as the
# worker. Frozen, it is no longer walked by every full garbage collection: about 160,000
# objects, which cost a request 60-100 ms whenever one ran (bench/catalogue.py).
gc.freeze()
