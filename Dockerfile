# comms-watch image: Node 20 + libpcap. The native `pcap` module is compiled in a build stage so the
# runtime image carries no compiler.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --include=optional
COPY src ./src
COPY dissectors ./dissectors
COPY scripts/bench-pipeline.ts scripts/bench-reader.ts ./scripts/
# The image runs the tsc build (faster start and packet loop than tsx); dev tools go after it.
RUN npm run build && npm prune --omit=dev --include=optional

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Starts as root to open the capture, then drops to nobody (--user, see deploy/base/daemonset.yaml).
ENTRYPOINT ["node", "/app/bin/comms-watch.mjs"]
CMD ["watch", "--no-tui", "--json", "--user=nobody"]
