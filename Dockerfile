# One image for all four services; docker-compose picks the entry point per service.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The workspaces' manifests before `npm ci`, so the dependency layer is rebuilt only when a manifest changes.
COPY package.json package-lock.json ./
COPY packages/sdk/package.json ./packages/sdk/
COPY packages/cli/package.json ./packages/cli/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# The web page (/app) bundles the SDK from its sources, and `npm run build` builds both packages.
COPY packages ./packages
COPY scripts ./scripts
COPY test/fakes ./test/fakes
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
# Overridden per service in docker-compose.yml.
CMD ["node", "dist/apps/api-gateway/src/main.js"]
