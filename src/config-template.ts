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

limits:
  maxScriptsPerPage: 500
  maxBodyBytes: 5242880

targets:
  # A page: loaded in Chromium; every script it runs is fingerprinted.
  - name: checkout
    url: https://shop.example/checkout
  # A hosted artifact (installer script, SDK file): fetched directly, fingerprinted and diffed.
  # - name: uploader
  #   url: https://downloads.example/bash
  #   type: resource
`;
