"""{{service_name}}: a FastAPI service."""
from fastapi import FastAPI

app = FastAPI(title="{{service_name}}")


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
