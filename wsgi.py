"""The production entry point: `gunicorn … 'wsgi:app'`.

Each gunicorn worker imports this module after the fork and starts its export worker at once, so a
restarted server resumes unfinished exports without waiting for someone to open a page.
Do not add --preload: the module would then run once in gunicorn's master, before the fork, and
the master would export too (harmless to exactly-once and pacing, but not what you want).
"""
from app import create_app
from services.export import worker
from services.payments import runner
from services.time_export import worker as time_worker

app = create_app()
worker.start_if_enabled(app)
time_worker.start_if_enabled(app)  # visits as time activities
runner.start_if_enabled(app)  # the scheduled QuickBooks change check
