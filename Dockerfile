# The verification service: `microcred serve` on port 8080, stateless (any number of instances behind a load
# balancer give the same answers). Configure the chain with MICROCRED_NETWORK and the RPC endpoints as arguments
# (arguments replace CMD, so they start with `serve`; global options may follow the command):
#   docker build -t microcred-serve .
#   docker run --rm -p 8080:8080 -e MICROCRED_NETWORK=sepolia microcred-serve \
#       serve --host 0.0.0.0 --port 8080 --rpc https://a.example --rpc https://b.example
# One worker per CPU the container may use (--cpus or --cpuset-cpus); --workers N to choose.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MICROCRED_HOME=/var/lib/microcred
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /src \
 && useradd --system --home-dir /var/lib/microcred --create-home microcred
USER microcred
WORKDIR /var/lib/microcred
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"
ENTRYPOINT ["microcred"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
