# kirim gateway image. Not built on the development machines (no Docker engine there); kept minimal.
FROM node:20-bookworm-slim
WORKDIR /app
# native build of better-sqlite3 when no prebuilt binary matches
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY web ./web
RUN npm ci
COPY . .
ENV HOST=0.0.0.0 PORT=3000 KIRIM_DATA_DIR=/data
VOLUME /data
EXPOSE 3000
USER node
CMD ["node", "--import", "tsx", "src/main.ts"]
