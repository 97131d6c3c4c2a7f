"""The embeddable fact-check card (widget.js, card page, oEmbed)."""
