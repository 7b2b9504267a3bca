FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    STOA_ENV=production STOA_INSTANCE_PATH=/data TRUSTED_PROXIES=1
WORKDIR /app
RUN groupadd --system stoa && useradd --system --gid stoa --home /app stoa \
    && mkdir -p /data && chown stoa:stoa /data
COPY pyproject.toml constraints.txt README.md ./
COPY portal ./portal
COPY blueprints ./blueprints
COPY services ./services
RUN pip install -c constraints.txt .
COPY . .
USER stoa
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-", "wsgi:app"]
