// The commented scriptwarden.yml that `scriptwarden init` writes.

export const CONFIG_TEMPLATE = `# scriptwarden configuration. Every option except "targets" has a default.
# Relative paths resolve against this file's folder.

# SQLite file holding scans, script versions, baselines and alerts.
database: ./scriptwarden.db

# Like curl --resolve: send these hosts to fixed addresses, in the browser and in direct fetches.
# resolve:
#   "*.staging.example": 10.0.0.5

# Visitor profiles; each page target is scanned once per profile (desktop | mobile).
profiles: [desktop]

# A script absent from this many consecutive successful scans raises script.removed.
removalThreshold: 2

browser:
  # executablePath: /usr/bin/chromium   # default: PUPPETEER_EXECUTABLE_PATH, Puppeteer's cache, then the system's
  args: []              # extra Chromium flags
  pageTimeout: 30s      # a page that has not loaded by then is a failed scan
  settle: 500ms         # after load, wait until the network has been quiet this long (bounded by pageTimeout)
  concurrency: 2        # page loads at once
  # proxy: socks5://exit.example:1080   # scan from a residential or regional exit (http://user:pass@host:port too)

# Loads taken while a baseline is first established, to learn values that change on every load.
baselineLoads: 2

# The behavioural pass: on payment and login pages, type canary card data and watch where it goes.
# It never places an order: the page's own navigations and writes are answered by scriptwarden with 204.
canary:
  enabled: true
  approvedHosts: []     # payment processors allowed to receive card data, e.g. ["*.stripe.com"]
  # nextPage: /cart     # the later page watched for card data sent after checkout (default: the page again; off)

# Library signatures (retire.js format) and known-bad host lists of your own, read on every run, and the npm
# registry asked to verify library files against their published releases (default: npm's; off to never ask).
# intel:
#   libraries: [intel/releases.json]
#   knownBadHosts: [intel/bad-hosts.txt]
#   registry: https://registry.npmjs.org/

# How often "scriptwarden serve" scans each target (targets may set their own every: or cron:).
every: 15m
# cron: "*/10 * * * *"
# retention: 90d        # remove repeated observations older than this; alerts, baselines and evidence stay

# Changes that need two people (PCI DSS: a tougher review): high and critical alerts need two different users' approvals.
# approvals:
#   required: 2
#   from: high
# evaluationFrequency: 7d   # how often payment pages must be evaluated (default: their schedule, else weekly)

# Where new alerts go (see README "Notifications"); env:NAME reads a secret from the environment.
# notify:
#   - type: webhook
#     url: https://hooks.example/scriptwarden
#     secret: env:SW_WEBHOOK_SECRET
#     minSeverity: medium
#   - type: email
#     smtp: env:SW_SMTP_URL            # smtp://user:pass@mail.example:587
#     to: [secops@example.com]
# dashboardUrl: https://scriptwarden.internal.example

# Dashboard sign-in (users: npx scriptwarden users add NAME --role admin).
# dashboard:
#   trustProxy: loopback     # behind a TLS proxy on this host: client address and HTTPS from X-Forwarded-*
#   sessionIdle: 30m
#   sessionMax: 12h
#   lockoutAfter: 5
#   lockoutFor: 15m

limits:
  maxScriptsPerPage: 500
  maxBodyBytes: 5242880

targets:
  # A page: loaded in Chromium; every script it runs is fingerprinted.
  - name: checkout
    url: https://shop.example/checkout
  # A page reached by steps, with a Referer chain, as a shopper reaches it.
  # - name: checkout-via-basket
  #   url: https://shop.example/
  #   journey:
  #     - click: "a.product"
  #     - click: "#add-to-cart"
  #     - goto: /basket
  #     - click: "#checkout"
  #     - waitFor: "#payment-form"
  #     - scan
  # A hosted artifact (installer script, SDK file): fetched directly, fingerprinted and diffed.
  # - name: uploader
  #   url: https://downloads.example/bash
  #   type: resource
`;
