"""riskctl for the API bench: the service with its instance folder in the bench's temp dir."""

import os

from riskctl import create_app

app = create_app({"INSTANCE_PATH": os.environ["RISKCTL_BENCH_INSTANCE"]})
