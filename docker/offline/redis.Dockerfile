# A stand-in for redis:7-alpine built from a local Debian base (compose.offline.yaml): Debian's
# redis-server as the redis user, data in /data. Debian's build keeps protected mode on, so the
# compose override passes --protected-mode no (the network is compose's private one).
ARG BASE=optiagent-offline/debian:bookworm
FROM ${BASE}

RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
USER redis
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no"]
