FROM python:3.11-slim
WORKDIR /srv/banbot
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml requirements.lock README.md ./
COPY bot ./bot
COPY integrations ./integrations
RUN pip install --no-cache-dir -c requirements.lock .
COPY data ./data
COPY dialogs ./dialogs
COPY nlu_data ./nlu_data
ENV BANBOT_DATA_DIR=/srv/banbot/data BANBOT_DIALOGS_DIR=/srv/banbot/dialogs BANBOT_NLU_DATA_DIR=/srv/banbot/nlu_data
RUN useradd --system banbot && mkdir -p var && chown banbot var
USER banbot
EXPOSE 8080
CMD ["banbot", "serve", "--host", "0.0.0.0", "--port", "8080"]
