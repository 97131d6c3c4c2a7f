/* factcard embed loader: turns each blockquote.factcard-embed into the card's iframe.
   No dependencies, no eval, no inline styles: works under a strict host CSP that allows
   only this origin in script-src and frame-src. */
(function (w, d) {
  'use strict';
  if (w.factcard && w.factcard.scan) { w.factcard.scan(d); return; }
  var script = d.currentScript;
  var origin = new URL(script ? script.src : '/', w.location.href).origin;
  var frames = [];

  function clamp(h) { return Math.max(86, Math.min(1000, Math.round(h))); }
  // A frame changes height only where that moves nothing in view; else the card fits itself.
  function unseen(box, height) { return box.top + Math.min(box.height, height) >= w.innerHeight; }

  // URL patterns, filled in by the service (feed/urls.py).
  var paths = /*PATHS*/null;
  var checks = paths.check.split('{')[0];

  // The card's path form, which a static build answers too.
  function cardUrl(quote, page) {
    var claim = /^#claim-(\d+)$/.exec(page.hash);
    var v = {
      slug: page.pathname.slice(checks.length),
      claim: quote.getAttribute('data-claim') || (claim ? claim[1] : '1'),
      theme: quote.getAttribute('data-theme') || 'light',
      lang: (quote.getAttribute('data-lang') || '').split('-')[0].toLowerCase()
    };
    var name = v.lang ? 'card_in_language' : v.claim + v.theme !== '1light' ? 'card_variant' : 'card';
    return paths[name].replace(/\{(\w+)\}/g, function (_, key) { return encodeURIComponent(v[key]); });
  }

  function embed(quote) {
    var page = new URL(quote.getAttribute('data-factcard') || '', origin);
    if (page.origin !== origin || page.pathname.indexOf(checks) || page.pathname === checks) return;
    var src = new URL(cardUrl(quote, page), origin);
    var frame = d.createElement('iframe');
    frame.src = src.href;
    frame.title = quote.getAttribute('data-title') || 'Fact check';
    var box = quote.getBoundingClientRect();
    var height = clamp(+quote.getAttribute('data-height') || 240);
    var css = w.getComputedStyle(quote);
    frame.height = unseen(box, height) || box.height < 86 ? height : clamp(box.height);
    frame.style.marginTop = css.marginTop;
    frame.style.marginBottom = css.marginBottom;
    frame.setAttribute('loading', 'lazy');
    frame.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    frame.style.width = '100%';
    frame.style.maxWidth = Math.max(200, Math.min(550, +quote.getAttribute('data-width') || 550)) + 'px';
    frame.style.border = '0';
    frame.style.display = 'block';
    frames.push(frame);
    quote.parentNode.replaceChild(frame, quote);
  }

  function scan(root) {
    var quotes = (root || d).querySelectorAll('blockquote.factcard-embed');
    for (var i = 0; i < quotes.length; i++) embed(quotes[i]);
  }

  w.addEventListener('message', function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== 'factcard:height') return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        var height = clamp(+data.height || 0);
        if (String(height) !== frames[i].getAttribute('height') && unseen(frames[i].getBoundingClientRect(), height)) {
          frames[i].height = height;
        }
      }
    }
  });

  w.factcard = { scan: scan };
  scan(d);
})(window, document);
