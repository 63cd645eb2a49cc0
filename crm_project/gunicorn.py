"""gunicorn in production: `gunicorn -c python:crm_project.gunicorn crm_project.wsgi`.

Threaded workers (gthread): a sync worker is killed when one request outlasts
`timeout`, and a CSV export of a million contacts streams for about a minute. Here
`timeout` is the worker's heartbeat, which its main thread keeps beating while other
threads stream. Each thread holds at most one database connection, so keep
DATABASE_POOL_MAX at or above WEB_THREADS.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak in any library cannot grow forever.
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
