"""One `APIRouter` per resource: service (health), backends, analysis, plots, jobs."""
