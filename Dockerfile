# briefbot in a container: Telegram when TELEGRAM_BOT_TOKEN is set, the console otherwise.
#
#   docker build -t briefbot .
#   docker run -d --name briefbot -e TELEGRAM_BOT_TOKEN=... -v briefbot-data:/data briefbot
#   docker run -it --rm -v briefbot-data:/data briefbot            # console, no token
#   docker run --rm -v briefbot-data:/data briefbot briefbot status beijing-pyongyang
#
# No token is baked in: pass it at run time (-e or --env-file).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BRIEFBOT_DB=/data/briefbot.db

WORKDIR /app

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin briefbot \
    && mkdir -p /data \
    && chown briefbot:briefbot /data

# Dependencies first, from pyproject.toml alone, so code changes do not reinstall them.
# Editable install: the code runs from /app, where Settings finds templates/ and seeds/
# beside bot/ (a site-packages install would look for them inside site-packages).
COPY pyproject.toml README.md ./
RUN mkdir bot && touch bot/__init__.py && pip install -e . && rm -rf bot

COPY bot ./bot
COPY templates ./templates
COPY seeds ./seeds

USER briefbot
VOLUME ["/data"]

# Index the seeds first (a no-op once they are in the database), then run the command.
ENTRYPOINT ["/bin/sh", "-c", "briefbot ingest --quiet /app/seeds || echo 'briefbot: indexing seeds failed' >&2; exec \"$@\"", "briefbot-entrypoint"]
CMD ["briefbot", "run"]
