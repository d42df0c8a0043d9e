// What the page's instrumentation reported at run time: a listener, a channel, a storage write, a worker's CPU.

/** What a script did at run time, as the page instrumentation saw it. */
export interface RuntimeSignal {
  /** listen, read (payment fields), beacon (image src), wasm, blob-worker, websocket, sent (other channels), stored */
  kind: string;
  detail: string;
  /** URL of the calling script, from the stack; null when it could not be told. */
  script: string | null;
  /** For `sent` (WebRTC, postMessage, window.open, link hints) and `stored` (storage, cookies): what it carried, bounded. */
  data?: string;
}
