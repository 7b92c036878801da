"""The page's style sheet and script, served from this origin (kept in Python so every install carries them)."""

CSS = """
:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.5; }
body { max-width: 52rem; margin: 0 auto; padding: 1rem; color: #1a1a1a; background: #fff; }
header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; }
nav ul { list-style: none; display: flex; gap: .75rem; padding: 0; margin: 0; }
a { color: #0b4f9c; }
a:focus, button:focus, input:focus, textarea:focus { outline: 3px solid #f1a400; outline-offset: 2px; }
form { display: grid; gap: .75rem; margin: 1rem 0; }
.drop { border: 2px dashed #777; border-radius: .5rem; padding: 1rem; }
textarea { width: 100%; min-height: 8rem; font-family: ui-monospace, monospace; }
button { font-size: 1.1rem; padding: .5rem 1.5rem; justify-self: start; }
.verdict { font-size: 1.6rem; font-weight: bold; padding: .5rem 1rem; border-radius: .5rem; }
.verdict.valid { background: #e3f5e6; color: #14632a; }
.verdict.invalid { background: #fde7e7; color: #9b1c1c; }
.verdict.unknown { background: #ececec; color: #333; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: bold; }
ul.checks { list-style: none; padding: 0; }
ul.checks li { margin: .5rem 0; padding-left: 2rem; position: relative; }
.mark { position: absolute; left: 0; width: 1.5rem; text-align: center; font-weight: bold; border-radius: 50%; }
.mark.pass { color: #fff; background: #1e7b34; }
.mark.fail { color: #fff; background: #c62828; }
.mark.error, .mark.skipped { color: #fff; background: #777; }
.detail, dd { color: #444; overflow-wrap: anywhere; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { margin-top: 2rem; color: #555; font-size: .9rem; }
"""

JS = """
'use strict';
// Opens a verification link: the credential is in the fragment (#vc=...), which the browser never sends.
// It is decoded here and submitted by the page's own form, as if pasted.
(function () {
  const match = /(?:^#|&)vc=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (!match || !('DecompressionStream' in window)) { return; }
  const form = document.getElementById('verify-form');
  const area = document.getElementById('credential');
  const live = document.getElementById('result');
  const b64 = match[1].replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - b64.length % 4) % 4);
  let bytes;
  try {
    bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  } catch (e) { live.textContent = form.dataset.damaged; return; }
  live.textContent = form.dataset.opening;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  new Response(stream).text().then((text) => {
    area.value = text;
    history.replaceState(null, '', window.location.pathname + window.location.search);
    form.submit();
  }, () => { live.textContent = form.dataset.damaged; });
})();
"""
