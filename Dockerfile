# One image recipe for the three services; SERVICE picks which one, PORT the port it listens on.
# Build from the repository root:
#   docker build --build-arg SERVICE=orderservice --build-arg PORT=3001 .
# (docker-compose.yml passes both for each service.)
FROM node:20-bookworm-slim AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "--build-arg SERVICE=orderservice|inventoryservice|notificationservice is required" >&2; exit 1)
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY shared/package.json shared/
COPY orderservice/package.json orderservice/
COPY inventoryservice/package.json inventoryservice/
COPY notificationservice/package.json notificationservice/
RUN npm ci --no-audit --no-fund
COPY shared shared
COPY ${SERVICE} ${SERVICE}
# One bundle with the shared kit inlined; npm packages stay external.
RUN npm run build -w ${SERVICE}

FROM node:20-bookworm-slim
ARG SERVICE
ARG PORT
RUN test -n "$PORT" || (echo "--build-arg PORT=<the service's port> is required" >&2; exit 1)
ENV NODE_ENV=production HOST=0.0.0.0 PORT=${PORT} SERVICE=${SERVICE}
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY orderservice/package.json orderservice/
COPY inventoryservice/package.json inventoryservice/
COPY notificationservice/package.json notificationservice/
RUN npm ci --omit=dev --no-audit --no-fund -w ${SERVICE} && npm cache clean --force
COPY --from=build /app/${SERVICE}/dist ${SERVICE}/dist
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The shell form expands $SERVICE at start; exec makes node PID 1, so it receives SIGTERM itself.
CMD exec node --enable-source-maps --import "./${SERVICE}/dist/tracing.js" "${SERVICE}/dist/main.js"
