"""The page's style and the little script behind the conversation.

The script runs once, when the conversation element loads (gr.HTML's
js_on_load), and works by event delegation, so it survives every re-render:
- a chip previews its source on hover, and on tap or click (pinned until the
  next tap elsewhere or Esc); the preview's button opens the full passage;
- whenever a turn appears or its answer arrives, the page scrolls to the top
  of that turn, whatever the reader was looking at;
- "copy citations" puts the answer's citation lines on the clipboard.
"""

# Gradio scopes `css` to elements inside the app's content; the page's own
# frame (its width and side padding) and the floating preview are styled
# from <head>.
HEAD = """<style>
.gradio-container>.main.app{max-width:1000px !important;margin:0 auto}
@media (max-width:640px){
  .gradio-container>.main.app{padding-left:10px !important;padding-right:10px !important}
}
/* The chip preview floats outside the app's content. */
.pv-pop{position:fixed;z-index:1000;width:min(440px,calc(100vw - 16px));max-height:55vh;
  overflow:auto;background:var(--background-fill-primary);color:var(--body-text-color);
  border:1px solid var(--border-color-primary);border-radius:10px;padding:10px 12px;
  box-shadow:0 8px 28px rgba(0,0,0,.18);font-size:14px;line-height:1.7}
.pv-head{font-size:13px;color:var(--body-text-color-subdued);margin-bottom:4px}
.pv-pop mark{background:#ffe58f;color:inherit;border-radius:2px}
.pv-pop strong{font-weight:700}
.pv-pop .pv-open{border:0;background:none;color:var(--color-accent);cursor:pointer;
  font-size:13px;padding:2px 0}
</style>"""

CSS = """
#thread,#article{padding:0 !important;border:none !important;background:none !important}
#thread .html-container,#article .html-container{padding:0 !important}
.thread{display:flex;flex-direction:column;gap:22px;padding:4px 0 12px;contain:inline-size}
.thread .empty{color:var(--body-text-color-subdued);margin:8px 2px}
.turn{scroll-margin-top:8px}
/* Room below the newest turn, so that it can always be scrolled to the top. */
.turn:last-child{min-height:calc(100vh - 190px)}
.turn .q{display:flex;justify-content:flex-end}
.turn .bubble{background:var(--color-accent-soft);border-radius:16px 16px 4px 16px;
  padding:8px 14px;max-width:85%;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.6}
.turn .a{margin-top:10px;line-height:1.75;font-size:16px}
.turn .a p{margin:0 0 8px}
.quote{overflow-wrap:anywhere}
.quote-list{margin:.3em 0;padding-left:1.6em}
.quote-list li{margin:.25em 0}
.chip{display:inline-flex;align-items:center;justify-content:center;min-width:1.55em;
  height:1.55em;padding:0 .35em;margin:0 2px;border:0;border-radius:999px;
  background:var(--color-accent-soft);color:var(--color-accent);font:600 12px/1 sans-serif;
  cursor:pointer;vertical-align:.15em}
.chip:hover,.chip:focus-visible{background:var(--color-accent);color:#fff;outline:none}
.caveat{background:#fff7e6;color:#7a4b00;border-left:3px solid #f59e0b;border-radius:6px;
  padding:6px 10px;font-size:14px}
.abstain{font-weight:600}
.error,.notice{color:#9a3412;background:#fff1eb;border-radius:6px;padding:6px 10px}
.searching{color:var(--body-text-color-subdued)}
.searching .dots{display:inline-block;width:.8em;height:.8em;margin-right:.5em;border-radius:50%;
  border:2px solid var(--color-accent);border-right-color:transparent;
  animation:spin .8s linear infinite;vertical-align:-.1em}
@keyframes spin{to{transform:rotate(360deg)}}
mark{background:#ffe58f;color:inherit;border-radius:2px}
.turn strong,.pv-pop strong,.low strong{font-weight:700}
.sources{margin-top:12px;border-top:1px solid var(--border-color-primary);padding-top:6px;
  font-size:14px;line-height:1.6}
.sources-head{display:flex;justify-content:space-between;align-items:center;
  color:var(--body-text-color-subdued);font-size:13px;margin-bottom:2px}
.copy,.pv-open{border:0;background:none;color:var(--color-accent);cursor:pointer;
  font-size:13px;padding:2px 0}
.src-article{margin:4px 0 8px}
.src-head{display:flex;flex-wrap:wrap;gap:0 8px;align-items:baseline}
.src-title{font-weight:600}
.src-by{color:var(--body-text-color-subdued);font-size:13px}
details.src>summary{display:flex;gap:8px;align-items:baseline;cursor:pointer;list-style:none;
  padding:3px 0}
details.src>summary::-webkit-details-marker{display:none}
details.src .n{flex:none;color:var(--color-accent);font-weight:600;font-size:12px;min-width:1.2em}
.src-where{flex:none;color:var(--body-text-color-subdued);font-size:13px}
.src-snip{flex:1;min-width:0;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
details.src[open]>summary .src-snip{visibility:hidden}
.passage{margin:4px 0 6px;padding:8px 10px;border:none;border-radius:8px;
  background:var(--background-fill-secondary);font-size:15px;line-height:1.75}
details.ctx{margin:2px 0;font-size:14px}
details.ctx>summary{cursor:pointer;color:var(--color-accent)}
details.ctx p{margin:4px 0;color:var(--body-text-color-subdued)}
details.ctx p.here{color:var(--body-text-color)}
.pn{color:var(--body-text-color-subdued);font-size:12px;margin-right:6px}
.cite{font-size:12.5px;color:var(--body-text-color-subdued);user-select:all;margin:4px 0 8px}
.cite span{user-select:none;margin-right:4px}
details.low{margin-top:6px;font-size:14px}
details.low summary{cursor:pointer;color:var(--body-text-color-subdued)}
details.low li{margin:6px 0}
#composer{position:sticky;bottom:0;z-index:20;background:var(--body-background-fill);
  padding:8px 0 6px;gap:8px;align-items:center}
#composer .block{border:none !important;box-shadow:none !important;padding:0 !important;
  background:none !important}
#composer button{height:44px;align-self:center}
#upload-hint{font-size:13.5px;color:var(--body-text-color-subdued)}
#upload-hint p{margin:0}
#upload-status{padding:0 !important;border:none !important;background:none !important}
#upload-status .html-container{padding:0 !important}
.upload-report{font-size:14px;line-height:1.7;margin:2px 0 6px}
.upload-report ul{margin:2px 0 6px;padding-left:1.3em}
.upload-report p{margin:0}
.upload-head{font-weight:600}
.upload-head.ok{color:#166534}
.upload-sub{margin-top:8px !important;color:var(--body-text-color-subdued);font-size:13px}
.upload-report .file{font-weight:600;overflow-wrap:anywhere}
.upload-report .where,.upload-report .by,.upload-report .n{color:var(--body-text-color-subdued);
  font-size:13px;margin-left:6px}
.upload-problems li{color:#9a3412}
.doc{max-width:42em;font-size:16.5px;line-height:1.85}
.doc h2{font-size:22px;line-height:1.4;margin:8px 0}
.doc .deck{font-size:17px;color:var(--body-text-color-subdued)}
.doc .meta{font-size:14px;color:var(--body-text-color-subdued);margin-bottom:14px}
.doc p{margin:0 0 12px}
@media (max-width:640px){
  .turn .a{font-size:15.5px}
  .turn .bubble{max-width:92%}
  .passage{font-size:14.5px;padding:6px 8px}
  #composer button{min-width:64px !important}
}
"""

JS = """
const root = element;
let pop = null, pinned = false, lastKey = '';
const hide = () => { if (pop) { pop.remove(); pop = null; } pinned = false; };
const show = (chip, pin) => {
  const src = root.querySelector('#pv-' + CSS.escape(chip.dataset.ref));
  if (!src) return;
  hide();
  pop = document.createElement('div');
  pop.className = 'pv-pop';
  pop.setAttribute('role', 'dialog');
  pop.dataset.ref = chip.dataset.ref;
  pop.innerHTML = src.innerHTML;
  (root.closest('.gradio-container') || document.body).appendChild(pop);
  const r = chip.getBoundingClientRect(), w = pop.offsetWidth, h = pop.offsetHeight;
  const left = Math.min(Math.max(8, r.left + r.width / 2 - w / 2), window.innerWidth - w - 8);
  let top = r.bottom + 6;
  if (top + h > window.innerHeight - 8) top = Math.max(8, r.top - h - 6);
  pop.style.left = left + 'px';
  pop.style.top = top + 'px';
  pinned = !!pin;
  pop.addEventListener('mouseleave', () => { if (!pinned) hide(); });
};
root.addEventListener('mouseover', (e) => {
  const chip = e.target.closest('.chip');
  if (chip && !pinned && matchMedia('(hover: hover)').matches) show(chip, false);
});
root.addEventListener('mouseout', (e) => {
  const chip = e.target.closest('.chip');
  if (chip && !pinned && !(pop && e.relatedTarget && pop.contains(e.relatedTarget))) hide();
});
root.addEventListener('click', (e) => {
  const chip = e.target.closest('.chip');
  if (chip) {
    e.preventDefault();
    e.stopPropagation();
    if (pinned && pop && pop.dataset.ref === chip.dataset.ref) hide(); else show(chip, true);
    return;
  }
  const copy = e.target.closest('.copy');
  if (copy && navigator.clipboard) {
    navigator.clipboard.writeText(JSON.parse(copy.dataset.cites).join('\\n'))
      .then(() => { copy.textContent = copy.dataset.done; }).catch(() => {});
  }
});
document.addEventListener('click', (e) => {
  const open = e.target.closest('.pv-open');
  if (open) {
    const item = root.querySelector('#src-' + CSS.escape(open.dataset.ref));
    if (item) { item.open = true; item.scrollIntoView({block: 'center'}); }
    hide();
    return;
  }
  if (pop && !pop.contains(e.target)) hide();
});
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') hide(); });
root.addEventListener('focusin', (e) => {
  const chip = e.target.closest('.chip');
  if (chip && chip.matches(':focus-visible') && !pinned) show(chip, false);
});
// A new turn, or its answer arriving: bring the top of that turn into view.
const place = () => {
  const turns = root.querySelectorAll('.turn');
  const last = turns[turns.length - 1];
  if (!last) { lastKey = ''; return; }
  const key = last.dataset.turn + ':' + last.dataset.state;
  if (key === lastKey) return;
  lastKey = key;
  hide();
  const y = last.getBoundingClientRect().top + window.scrollY - 8;
  window.scrollTo({top: y, behavior: 'instant'});
};
new MutationObserver(place).observe(root, {childList: true, subtree: true});
"""
