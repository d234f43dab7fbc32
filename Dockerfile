# Production image: gunicorn serving Django, the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./frontend
RUN mkdir -p static/css && npm run build \
 && mkdir -p static/govuk static/images \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/govuk/ \
 && cp -r node_modules/govuk-frontend/dist/govuk/assets/images/. static/images/ \
 && cp node_modules/govuk-frontend/dist/govuk/assets/manifest.json static/manifest.json

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 10001 youthservice
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
COPY --from=assets /build/static ./static
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input
# Where the app writes (the image's code in /app stays root's): scanned copies and beat's schedule,
# each a volume in docker-compose.yml, which a new volume takes its owner from.
RUN mkdir -p /var/lib/youthservice/media /var/lib/youthservice/beat /var/lib/youthservice/ledger \
 && chown -R youthservice:youthservice /var/lib/youthservice
USER youthservice
EXPOSE 8000
CMD ["gunicorn", "-c", "python:youthservice.gunicorn"]
