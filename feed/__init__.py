"""The factcard service: store, publishing API, canonical pages, CLI and app factory."""
