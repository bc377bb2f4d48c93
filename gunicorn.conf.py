"""gunicorn settings; every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("RISKCTL_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("RISKCTL_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("RISKCTL_THREADS", "2"))
# Large roster imports and reports; the public draw verification stops itself at half
# of it (RISKCTL_VERIFY_MAX_SECONDS, riskctl/draws/verification.py).
timeout = int(os.environ.get("RISKCTL_TIMEOUT", "120"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("RISKCTL_FORWARDED_ALLOW_IPS", "127.0.0.1")
