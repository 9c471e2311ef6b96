# UNTESTED: no Docker engine runs where this project is developed and tested, so this image has
# never been built or run. It follows docs/deploy.md "Build and install"; check it before relying
# on it (docs/deploy.md "Containers" says what was and was not checked).
#
# The portal server only (not the staff console): its production build, run with plain node and
# runtime dependencies. Build: docker build -t clinic-portal .
# Run with PostgreSQL: docker-compose.yml. Alone on SQLite, data in a volume:
#   docker run -p 127.0.0.1:3000:3000 -v portal-data:/var/lib/clinic-portal \
#     -e PUBLIC_URL=https://portal.example-clinic.org -e TRUST_PROXY=172.17.0.1 clinic-portal

# 1. Build: all dependencies, then the server's part of `npm run build` (the patient web app and
#    the server as plain JavaScript; the Electron console is not needed in a server image).
FROM node:20-bookworm-slim AS build
WORKDIR /src
# sqlite3 and argon2 are native: npm compiles them where their prebuilt binaries cannot be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# Electron's binary is not needed to build the server (and cannot always be downloaded).
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:portal-web && npm run build:portal-server

# 2. Runtime dependencies only (npm ci --omit=dev), compiled here where needed.
FROM node:20-bookworm-slim AS runtime-deps
WORKDIR /opt/clinic-portal
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 3. The image: node, the built server and web app, runtime node_modules; no compilers, no sources.
FROM node:20-bookworm-slim
WORKDIR /opt/clinic-portal
ENV NODE_ENV=production \
    DATA_DIR=/var/lib/clinic-portal \
    PORT=3000
COPY --from=runtime-deps /opt/clinic-portal/node_modules ./node_modules
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/out/portal-server ./out/portal-server
COPY --from=build /src/out/portal-web ./out/portal-web
# The server's data folder (SQLite file, generated secret, .eml files without SMTP_URL), owned by
# the unprivileged `node` user the server runs as; the server narrows it to mode 0700 itself.
RUN mkdir -p /var/lib/clinic-portal && chown node:node /var/lib/clinic-portal
VOLUME ["/var/lib/clinic-portal"]
USER node
EXPOSE 3000
# A container must listen on its own interface (HOST=0.0.0.0) to be reachable through a published
# port. The server refuses plain HTTP on a non-loopback address unless told a TLS proxy in front
# does TLS: PLAIN_HTTP_BEHIND_PROXY=1 with TRUST_PROXY naming that proxy (not "loopback") and an
# https:// PUBLIC_URL. Set those at run time (docker-compose.yml does); without them it stops with
# a message that says what is missing.
ENV HOST=0.0.0.0 \
    PLAIN_HTTP_BEHIND_PROXY=1
# /readyz: 200 while the database answers and the server is not shutting down (node: no curl here).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop) lets requests in flight finish within SHUTDOWN_GRACE_MS (default 10 s):
# keep `docker stop -t` / compose's stop_grace_period above it.
STOPSIGNAL SIGTERM
CMD ["node", "out/portal-server/main.js", "serve"]
