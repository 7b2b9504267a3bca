FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    STOA_ENV=production STOA_INSTANCE_PATH=/data TRUSTED_PROXIES=1 PYTHONPATH=/app
WORKDIR /app
RUN groupadd --system stoa && useradd --system --gid stoa --home /app stoa \
    && mkdir -p /data && chown stoa:stoa /data
# dependencies first (cached layer), then the code; the package is installed in place (-e) so
# templates/, static/ and migrations/ resolve next to it for gunicorn and the `stoa` command alike
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir portal blueprints services && touch portal/__init__.py blueprints/__init__.py services/__init__.py \
    && pip install -c constraints.txt -e . && rm -rf portal blueprints services
COPY . .
USER stoa
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# `stoa db upgrade` runs as a release step (or: docker run IMAGE stoa db upgrade) before serving
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--control-socket", "/tmp/gunicorn.ctl", "--access-logfile", "-", "--logger-class", "portal.accesslog.RedactingLogger", "wsgi:app"]
