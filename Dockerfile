# The sample bank app, for `docker compose up` (see docker-compose.yml): this repository built as
# it is, run against the dynamodb-local service (so no Java in this image).
FROM node:20-slim

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The ES module build of lib, sample and bench (what `npm run build` makes besides the CommonJS
# build of the library for packaging, which the app does not need).
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY sample ./sample
COPY bench ./bench
RUN npx tsc -p tsconfig.build.json

ENV PORT=3000
EXPOSE 3000
# Node is PID 1: the app handles SIGTERM (docker stop) itself and shuts down cleanly.
CMD ["node", "dist/sample/main.js"]
