# mock-efidem: docker build -t mock-efidem . && docker run -p 8080:8080 mock-efidem
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8080 \
    SCENARIO=""
# No PUBLIC_URL by default: the WSDL then announces the address each client used
# (Host, or a proxy's X-Forwarded-* headers). Set it to pin one address.

# serve reads every MOCK_EFIDEM_* variable (an option's name, upper case): these are the
# defaults, one world in this process. MOCK_EFIDEM_STORE=redis://HOST:PORT/DB shares one
# world between replicas and MOCK_EFIDEM_WORKERS processes (README: "Shared state on
# Redis"; examples/compose/); the redis client comes with `pip install .`.
ENV MOCK_EFIDEM_STORE=memory \
    MOCK_EFIDEM_STORE_PREFIX=mock-efidem \
    MOCK_EFIDEM_WORKERS=1

RUN useradd --create-home --uid 10001 mock
WORKDIR /opt/mock-efidem
COPY pyproject.toml README.md ./
COPY mock_efidem ./mock_efidem
COPY scenarios ./scenarios
RUN pip install .

# Mount your own scenarios here and set SCENARIO=/scenarios/yours.yaml.
RUN mkdir /scenarios && cp scenarios/*.yaml /scenarios/ && chown -R mock /scenarios
VOLUME ["/scenarios"]

USER mock
EXPOSE 8080
# Unhealthy (503) too while a shared store is unreachable.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PORT'] + '/_mock/health', timeout=2)"
CMD exec mock-efidem serve --host 0.0.0.0 --port "$PORT" ${PUBLIC_URL:+--public-url "$PUBLIC_URL"} ${SCENARIO:+--scenario "$SCENARIO"}
