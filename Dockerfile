# The worker image: one image for RunPod pods, RunPod Serverless workers and EC2 instances
# (operator notes in src/worker/README.md). It runs src/worker/container.ts, bundled:
#   - with RunPod's serverless environment (RUNPOD_WEBHOOK_GET_JOB …) it serves prediction jobs;
#   - otherwise it runs the one job in SMA_SPEC_URI, then exits (and its compute goes away).
# Build:   docker build -t <registry>/sma-worker:<version> .
# Publish: docker push <registry>/sma-worker:<version>, then set WORKER_IMAGE to that tag.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# Our code in one file; packages stay in node_modules (some are CommonJS or native).
RUN npx esbuild src/worker/container.ts --bundle --platform=node --target=node20 --format=esm \
      --packages=external --keep-names --outfile=dist/worker.mjs

FROM node:20-bookworm-slim AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
# The GPU backend (src/ml/gpu) is WebGPU through Dawn (the webgpu package's prebuilt dawn.node), which reaches
# the GPU through Vulkan: the loader is installed here; the NVIDIA container runtime mounts the driver's
# Vulkan ICD only when the "graphics" capability is requested. Without a GPU the worker trains on the CPU.
RUN apt-get update && apt-get install -y --no-install-recommends libvulkan1 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    LOG_LEVEL=info \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/worker.mjs ./worker.mjs
COPY package.json ./
USER node
# SIGTERM reaches node directly (no shell in between): the worker records "stopped" before it exits.
CMD ["node", "worker.mjs"]
